using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.AccessControl;
using Kiosk.Simulators.VirtualCard.Security;

namespace Simulators.Tests;

/// <summary>
/// Issue 9's card-reading faults on the virtual card: two clones that hide DG14 and DG15 although their (genuine) SOD
/// lists them, one behind an EF.COM that leaves them out, one answering 6A82 under secure messaging; and a chip that
/// offers BAC inside the eMRTD application only.
/// </summary>
public sealed class VirtualCardHiddenFilesTests : IDisposable
{
    private const string SelectApplet = "00A4040C07A0000002471001";
    private readonly string folder = Directory.CreateTempSubdirectory("card-hidden-").FullName;

    public void Dispose() => Directory.Delete(folder, true);

    private (VirtualCccdCard Card, SecureMessagingSession Session) OpenWithPace(CardFault fault)
    {
        var card = new VirtualCccdCard(VirtualCardTests.Profile("nguyen-van-an"),
            new VirtualCardOptions { RequireAccessControl = true, Security = new CardSecurity(CardPki.CreateOrLoad(folder), fault) });
        SessionKeys keys = PaceTerminal.Perform(command => card.Process(command), PaceAlgorithm.EcdhGenericMappingAes128,
            StandardDomainParameters.BrainpoolP256r1, PacePassword.FromCan("012345"), RandomSource.System);
        SecureMessagingSession session = keys.StartSession();
        Assert.True(Send(card, session, SelectApplet).IsSuccess);
        return (card, session);
    }

    private static ResponseApdu Send(IVirtualCard card, SecureMessagingSession session, string plainHex) =>
        session.UnwrapResponse(card.Process(session.WrapCommand(CommandApdu.Parse(Hex.Bytes(plainHex)))));

    private static byte[] ReadFile(IVirtualCard card, SecureMessagingSession session, string fileId) =>
        VirtualCardTests.ReadFile(plain => Send(card, session, Hex.Of(plain)).Encode(), fileId);

    [Theory]
    [InlineData(CardFault.ClonedChipComWithoutDg14Dg15, new[] { 1, 2, 13 })]
    [InlineData(CardFault.ClonedChipDg14Dg15NotFound, new[] { 1, 2, 13, 14, 15 })]
    public void The_sod_lists_dg14_and_dg15_and_the_chip_answers_6a82_for_them_under_secure_messaging(CardFault fault, int[] comLists)
    {
        (VirtualCccdCard card, SecureMessagingSession session) = OpenWithPace(fault);
        Assert.Equal(comLists, EfCom.Parse(ReadFile(card, session, "011E")).DataGroups);
        Assert.Equal([1, 2, 13, 14, 15], EfSod.Parse(ReadFile(card, session, "011D")).SecurityObject.DataGroupHashes.Keys.Order());
        foreach (string fileId in new[] { "010E", "010F" })
        {
            byte[] wire = card.Process(session.WrapCommand(CommandApdu.Parse(Hex.Bytes("00A4020C02" + fileId))));
            Assert.Equal(0x8E, wire[^12]); // a protected answer (DO99 + DO8E), not a plain status word
            Assert.Equal(0x6A82, session.UnwrapResponse(wire).StatusWord);
        }
        Assert.Equal(0x6A82, Send(card, session, "00B08E00DF").StatusWord); // DG14 by short EF identifier
        Assert.Equal(0x6A82, Send(card, session, "00B08F00DF").StatusWord);
        // The rest reads as on the genuine card, and the SOD is the genuine one: only the chip checks can tell.
        Dg1.Parse(ReadFile(card, session, "0101"));
        Dg13.Parse(ReadFile(card, session, "010D"));
    }

    [Fact]
    public void A_bac_only_chip_refuses_get_challenge_outside_the_application_and_runs_bac_inside_it()
    {
        var profile = VirtualCardTests.Profile("nguyen-van-an");
        var card = new VirtualCccdCard(profile, new VirtualCardOptions
        {
            RequireAccessControl = true, BacOnly = true, Security = new CardSecurity(CardPki.CreateOrLoad(folder)),
        });
        Assert.Equal("6A82", Hex.Of(card.Process(Hex.Bytes("00A4020C02011C")))); // no EF.CardAccess: no PACE to announce
        Assert.Equal("6D00", Hex.Of(card.Process(Hex.Bytes("0022C1A40F800A04007F00070202040202830101")))); // MSE:Set AT for PACE
        Assert.Equal("6985", Hex.Of(card.Process(BacTerminal.GetChallenge().Encode())));             // BAC at the MF: refused

        Assert.Equal("9000", Hex.Of(card.Process(Hex.Bytes(SelectApplet))));
        BacKeys keys = BacKeys.FromMrzInformation(CardSecrets.From(profile).MrzInformation);
        ResponseApdu challenge = ResponseApdu.Parse(card.Process(BacTerminal.GetChallenge().Encode()));
        Assert.True(challenge.IsSuccess);
        BacChallenge request = BacTerminal.BuildExternalAuthenticate(keys, BacTerminal.ParseChallenge(challenge), RandomSource.System);
        SecureMessagingSession session = BacTerminal.ProcessExternalAuthenticate(keys, request, ResponseApdu.Parse(card.Process(request.Command.Encode()))).StartSession();
        // The application stays selected: its files read under BAC's secure messaging without selecting it again.
        Assert.Equal("NGUYEN", Dg1.Parse(ReadFile(card, session, "0101")).Surname);

        card.Reset(); // a new activation: nothing selected, BAC at the MF refused again
        Assert.Equal("6985", Hex.Of(card.Process(BacTerminal.GetChallenge().Encode())));
    }

    [Fact]
    public async Task The_control_api_places_the_new_faults_and_the_bac_only_card()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        try
        {
            foreach (string fault in new[] { "clone-com-without-dg14-dg15", "clone-dg14-dg15-6a82" })
            {
                (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", fault })).EnsureSuccessStatusCode();
                JsonElement card = (await sim.GetJsonAsync("/api/state")).GetProperty("card");
                Assert.Equal(fault, card.GetProperty("fault").GetString());
                Assert.Equal("pace", card.GetProperty("accessControl").GetString());
            }
            (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", accessControl = "bac" })).EnsureSuccessStatusCode();
            Assert.Equal("bac", (await sim.GetJsonAsync("/api/state")).GetProperty("card").GetProperty("accessControl").GetString());

            using HttpResponseMessage bad = await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", accessControl = "eac" });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("bad-access-control", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }
        finally
        {
            sim.DeleteFolder();
        }
    }
}
