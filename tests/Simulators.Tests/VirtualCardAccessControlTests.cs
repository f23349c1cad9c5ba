using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.CardAccess;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.AccessControl;
using Kiosk.Simulators.VirtualCard.Lds;
using Kiosk.Simulators.VirtualCard.Profiles;

namespace Simulators.Tests;

/// <summary>
/// The virtual CCCD with access control on, against <c>Kiosk.Emrtd</c> as the terminal: EF.CardAccess, PACE with the CAN
/// (last 6 digits of the ID number) or the MRZ, BAC with the MRZ, then DG1/DG13 over secure messaging.
/// </summary>
public class VirtualCardAccessControlTests
{
    private const string SelectApplet = "00A4040C07A0000002471001";

    private static VirtualCccdCard ProtectedCard(PersonProfile profile) =>
        new(profile, new VirtualCardOptions { RequireAccessControl = true });

    private static string Send(IVirtualCard card, string apduHex) => Hex.Of(card.Process(Hex.Bytes(apduHex)));

    /// <summary>A plain APDU in, a plain response out, protected on the way.</summary>
    private static Func<byte[], byte[]> OverSecureMessaging(IVirtualCard card, SecureMessagingSession session) =>
        plain => session.UnwrapResponse(card.Process(session.WrapCommand(CommandApdu.Parse(plain)))).Encode();

    private static SessionKeys PaceWithCan(IVirtualCard card, string can) =>
        PaceTerminal.Perform(command => card.Process(command), PaceAlgorithm.EcdhGenericMappingAes128,
            StandardDomainParameters.BrainpoolP256r1, PacePassword.FromCan(can), RandomSource.System);

    [Fact]
    public void Ef_card_access_is_the_vietnamese_one_and_readable_before_authentication()
    {
        var card = ProtectedCard(VirtualCardTests.Profile("nguyen-van-an"));
        Assert.Equal("9000", Send(card, "00A4020C02011C"));
        byte[] content = card.Process(Hex.Bytes("00B0000000"));
        Assert.Equal("9000", Hex.Of(content.AsSpan(content.Length - 2)));
        SecurityInfos infos = SecurityInfos.Parse(content[..^2]);
        Assert.Equal(PaceAlgorithm.EcdhGenericMappingAes128, infos.PreferredPace!.Algorithm);
        Assert.Equal(StandardDomainParameters.BrainpoolP256r1, infos.PreferredPace.ParameterId);
        Assert.Equal(Hex.Of(LdsFiles.CardAccess()), Hex.Of(card.Process(Hex.Bytes("00B09C0000"))[..^2])); // by short EF identifier
    }

    [Fact]
    public void Plain_reads_of_the_lds_files_are_refused()
    {
        var card = ProtectedCard(VirtualCardTests.Profile("nguyen-van-an"));
        Assert.Equal("9000", Send(card, SelectApplet));
        Assert.Equal("9000", Send(card, "00A4020C020101"));
        Assert.Equal("6982", Send(card, "00B0000004"));
        Assert.Equal("6982", Send(card, "00B0810004"));
    }

    [Theory]
    [InlineData("nguyen-van-an")]
    [InlineData("tran-thi-mai")]
    [InlineData("le-hoang-nam")]
    public void Pace_with_the_can_then_dg1_and_dg13_over_secure_messaging(string profileId)
    {
        PersonProfile profile = VirtualCardTests.Profile(profileId);
        var card = ProtectedCard(profile);
        SessionKeys keys = PaceWithCan(card, profile.IdNumber[^6..]);
        Assert.Equal(Kiosk.Emrtd.Crypto.CipherKind.Aes128, keys.Cipher);

        Func<byte[], byte[]> transmit = OverSecureMessaging(card, keys.StartSession());
        Assert.Equal("9000", Hex.Of(transmit(Hex.Bytes(SelectApplet))));
        Assert.Equal(Hex.Of(LdsFiles.Dg1(profile)), Hex.Of(VirtualCardTests.ReadFile(transmit, "0101")));
        Assert.Equal(Hex.Of(LdsFiles.Dg13(profile)), Hex.Of(VirtualCardTests.ReadFile(transmit, "010D")));
        Assert.Equal("6A82", Hex.Of(transmit(Hex.Bytes("00A4020C02010B"))));
    }

    [Fact]
    public void Pace_with_the_mrz_works_too()
    {
        PersonProfile profile = VirtualCardTests.Profile("tran-thi-mai");
        var card = ProtectedCard(profile);
        SessionKeys keys = PaceTerminal.Perform(command => card.Process(command), PaceAlgorithm.EcdhGenericMappingAes128,
            StandardDomainParameters.BrainpoolP256r1, PacePassword.FromMrzInformation(CardSecrets.From(profile).MrzInformation),
            RandomSource.System, sendParameterId: true);
        Func<byte[], byte[]> transmit = OverSecureMessaging(card, keys.StartSession());
        Assert.Equal("9000", Hex.Of(transmit(Hex.Bytes(SelectApplet))));
        Assert.Equal(Hex.Of(LdsFiles.Dg1(profile)), Hex.Of(VirtualCardTests.ReadFile(transmit, "0101")));
    }

    [Fact]
    public void A_wrong_can_gets_6300_and_no_access()
    {
        PersonProfile profile = VirtualCardTests.Profile("nguyen-van-an");
        var card = ProtectedCard(profile);
        string wrongCan = profile.IdNumber[^6..] == "000000" ? "000001" : "000000";
        var statusWords = new List<string>();
        var error = Assert.Throws<AuthenticationFailedException>(() => PaceTerminal.Perform(command =>
            {
                byte[] response = card.Process(command);
                statusWords.Add(Hex.Of(response.AsSpan(response.Length - 2)));
                return response;
            }, PaceAlgorithm.EcdhGenericMappingAes128, StandardDomainParameters.BrainpoolP256r1, PacePassword.FromCan(wrongCan),
            RandomSource.System));
        Assert.Contains("6300", error.Message);
        Assert.Equal(["9000", "9000", "9000", "9000", "6300"], statusWords);
        Send(card, SelectApplet);
        Send(card, "00A4020C020101");
        Assert.Equal("6982", Send(card, "00B0000004"));
        // The card is not blocked: the right CAN still works.
        PaceWithCan(card, profile.IdNumber[^6..]);
    }

    [Fact]
    public void Bac_with_the_mrz_then_dg1_over_3des_secure_messaging()
    {
        PersonProfile profile = VirtualCardTests.Profile("le-hoang-nam");
        var card = ProtectedCard(profile);
        string[] mrz = MrzTd1.Lines(profile);
        BacKeys keys = BacKeys.FromMrzInformation(MrzInformation.Build(mrz[0][5..14], mrz[1][0..6], mrz[1][8..14]));
        byte[] challenge = BacTerminal.ParseChallenge(ResponseApdu.Parse(card.Process(BacTerminal.GetChallenge().Encode())));
        BacChallenge request = BacTerminal.BuildExternalAuthenticate(keys, challenge, RandomSource.System);
        SessionKeys session = BacTerminal.ProcessExternalAuthenticate(keys, request, ResponseApdu.Parse(card.Process(request.Command.Encode())));
        Assert.Equal(Kiosk.Emrtd.Crypto.CipherKind.TripleDes, session.Cipher);

        Func<byte[], byte[]> transmit = OverSecureMessaging(card, session.StartSession());
        Assert.Equal("9000", Hex.Of(transmit(Hex.Bytes(SelectApplet))));
        Assert.Equal(Hex.Of(LdsFiles.Dg1(profile)), Hex.Of(VirtualCardTests.ReadFile(transmit, "0101")));
    }

    [Fact]
    public async Task Bac_orchestrated_reads_dg13()
    {
        PersonProfile profile = VirtualCardTests.Profile("tran-thi-mai");
        var card = ProtectedCard(profile);
        BacKeys keys = BacKeys.FromMrzInformation(CardSecrets.From(profile).MrzInformation);
        SessionKeys session = await BacTerminal.PerformAsync((command, _) => Task.FromResult(card.Process(command)), keys,
            RandomSource.System, CancellationToken.None);
        Func<byte[], byte[]> transmit = OverSecureMessaging(card, session.StartSession());
        Assert.Equal("9000", Hex.Of(transmit(Hex.Bytes(SelectApplet))));
        Assert.Equal(Hex.Of(LdsFiles.Dg13(profile)), Hex.Of(VirtualCardTests.ReadFile(transmit, "010D")));
    }

    [Fact]
    public void Bac_with_a_wrong_mrz_gets_6300()
    {
        PersonProfile profile = VirtualCardTests.Profile("le-hoang-nam");
        var card = ProtectedCard(profile);
        BacKeys wrong = BacKeys.FromMrzInformation(MrzInformation.Build("000000000", "000101", "300101"));
        byte[] challenge = BacTerminal.ParseChallenge(ResponseApdu.Parse(card.Process(BacTerminal.GetChallenge().Encode())));
        BacChallenge request = BacTerminal.BuildExternalAuthenticate(wrong, challenge, RandomSource.System);
        Assert.Equal("6300", Hex.Of(card.Process(request.Command.Encode())));
        Assert.Equal("6985", Hex.Of(card.Process(request.Command.Encode()))); // one attempt per challenge
    }

    [Fact]
    public void A_wrong_mac_gets_6988_and_ends_the_session()
    {
        PersonProfile profile = VirtualCardTests.Profile("nguyen-van-an");
        var card = ProtectedCard(profile);
        SecureMessagingSession session = PaceWithCan(card, profile.IdNumber[^6..]).StartSession();
        byte[] command = session.WrapCommand(CommandApdu.Parse(Hex.Bytes(SelectApplet)));
        command[^2] ^= 0x01; // last MAC byte
        Assert.Equal("6988", Hex.Of(card.Process(command)));
        Assert.Equal("9000", Send(card, SelectApplet));
        Assert.Equal("9000", Send(card, "00A4020C020101"));
        Assert.Equal("6982", Send(card, "00B0000004"));
    }

    [Fact]
    public void Access_control_is_off_by_default()
    {
        var card = new VirtualCccdCard(VirtualCardTests.Profile("nguyen-van-an"));
        Assert.False(card.Options.RequireAccessControl);
        Assert.Equal("9000", Send(card, SelectApplet));
        Assert.Equal("6A82", Send(card, "00A4020C02011C"));
        Assert.Equal("61", Send(card, "00B0810001")[..2]);
    }

    [Fact]
    public void Random_apdus_never_throw()
    {
        PersonProfile profile = VirtualCardTests.Profile("nguyen-van-an");
        var card = ProtectedCard(profile);
        var random = new Random(20261126);
        string[] prefixes = ["", "0022C1A4", "10860000", "00860000", "0C", "00B0", "0082000028", "1086000045"];
        for (int i = 0; i < 3000; i++)
        {
            if (i % 500 == 0) PaceWithCan(card, profile.IdNumber[^6..]); // sometimes inside a session
            byte[] noise = new byte[random.Next(0, 80)];
            random.NextBytes(noise);
            byte[] apdu = [.. Hex.Bytes(prefixes[random.Next(prefixes.Length)]), .. noise];
            byte[] response = card.Process(apdu);
            Assert.True(response.Length >= 2);
        }
    }
}
