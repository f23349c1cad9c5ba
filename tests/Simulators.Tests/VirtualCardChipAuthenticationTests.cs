using Kiosk.Emrtd;
using Kiosk.Emrtd.ActiveAuthentication;
using Kiosk.Emrtd.CardAccess;
using Kiosk.Emrtd.ChipAuthentication;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.AccessControl;
using Kiosk.Simulators.VirtualCard.Security;

namespace Simulators.Tests;

/// <summary>
/// The card side of chip authentication (CA v1, ECDH; 3DES by MSE:Set KAT, AES by MSE:Set AT + GENERAL AUTHENTICATE)
/// and active authentication under secure messaging, driven by the kiosk's own terminal code (Kiosk.Emrtd).
/// </summary>
public sealed class VirtualCardChipAuthenticationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("card-ca-").FullName;

    public void Dispose() => Directory.Delete(folder, true);

    private (VirtualCccdCard Card, SecureMessagingSession Session) OpenWithPace(CardFault fault)
    {
        var card = new VirtualCccdCard(VirtualCardTests.Profile("nguyen-van-an"),
            new VirtualCardOptions { RequireAccessControl = true, Security = new CardSecurity(CardPki.CreateOrLoad(folder), fault) });
        SessionKeys keys = PaceTerminal.Perform(command => card.Process(command), PaceAlgorithm.EcdhGenericMappingAes128,
            StandardDomainParameters.BrainpoolP256r1, PacePassword.FromCan("012345"), RandomSource.System);
        SecureMessagingSession session = keys.StartSession();
        Assert.True(Send(card, session, new CommandApdu(0x00, 0xA4, 0x04, 0x0C, EmrtdAid)).IsSuccess);
        return (card, session);
    }

    private static readonly byte[] EmrtdAid = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

    private static ResponseApdu Send(IVirtualCard card, SecureMessagingSession session, CommandApdu command) =>
        session.UnwrapResponse(card.Process(session.WrapCommand(command)));

    private static byte[] ReadFile(IVirtualCard card, SecureMessagingSession session, string fileId) =>
        VirtualCardTests.ReadFile(plain => Send(card, session, CommandApdu.Parse(plain)).Encode(), fileId);

    [Fact]
    public void Chip_authentication_with_3des_restarts_secure_messaging_with_the_new_keys()
    {
        (VirtualCccdCard card, SecureMessagingSession session) = OpenWithPace(CardFault.None);
        Dg14 dg14 = Dg14.Parse(ReadFile(card, session, "010E"));
        Assert.Equal(CardSecurity.ChipAuthenticationProtocol, dg14.Preferred()!.Value.Protocol);

        SessionKeys keys = ChipAuthenticationTerminal.Perform(command => card.Process(command), session, dg14, RandomSource.System);
        SecureMessagingSession renewed = keys.StartSession();
        ChipAuthenticationTerminal.Confirm(command => card.Process(command), renewed);
        Assert.Equal("TripleDes", CipherKindName(keys));
        Dg1.Parse(ReadFile(card, renewed, "0101")); // the rest of the read runs under the new keys
        // The old session is gone on the card: a command under it is refused (6988, and the card closes secure messaging).
        Assert.Equal("6988", Hex.Of(card.Process(session.WrapCommand(new CommandApdu(0x00, 0xB0, 0x81, 0x00, [], 4)))));
    }

    [Fact]
    public void Chip_authentication_with_aes_uses_set_at_and_general_authenticate()
    {
        (VirtualCccdCard card, SecureMessagingSession session) = OpenWithPace(CardFault.None);
        Dg14 dg14 = Dg14.Parse(ReadFile(card, session, "010E"));
        var aes = dg14 with { ChipAuthenticationInfos = [new ChipAuthenticationInfo(Dg14.IdCaEcdh + ".2", 1, null)] };

        SessionKeys keys = ChipAuthenticationTerminal.Perform(command => card.Process(command), session, aes, RandomSource.System);
        Assert.Equal("Aes128", CipherKindName(keys));
        ChipAuthenticationTerminal.Confirm(command => card.Process(command), keys.StartSession());
    }

    [Fact]
    public void A_clone_without_the_chip_private_key_fails_chip_authentication()
    {
        (VirtualCccdCard card, SecureMessagingSession session) = OpenWithPace(CardFault.ClonedChip);
        Dg14 dg14 = Dg14.Parse(ReadFile(card, session, "010E"));
        SessionKeys keys = ChipAuthenticationTerminal.Perform(command => card.Process(command), session, dg14, RandomSource.System);
        Assert.Throws<AuthenticationFailedException>(() => ChipAuthenticationTerminal.Confirm(command => card.Process(command), keys.StartSession()));
    }

    [Fact]
    public void Active_authentication_answers_under_pace_secure_messaging()
    {
        (VirtualCccdCard card, SecureMessagingSession session) = OpenWithPace(CardFault.None);
        SubjectPublicKey key = Dg15.Parse(ReadFile(card, session, "010F"));
        ActiveAuthenticationInfo? info = Dg14.Parse(ReadFile(card, session, "010E")).ActiveAuthentication;
        Assert.True(ActiveAuthenticationTerminal.Perform(command => card.Process(command), session, key, info, RandomSource.System));
    }

    [Fact]
    public void Active_authentication_after_chip_authentication_and_a_clone_fails_it()
    {
        (VirtualCccdCard card, SecureMessagingSession session) = OpenWithPace(CardFault.None);
        Dg14 dg14 = Dg14.Parse(ReadFile(card, session, "010E"));
        SubjectPublicKey key = Dg15.Parse(ReadFile(card, session, "010F"));
        SecureMessagingSession renewed = ChipAuthenticationTerminal.Perform(command => card.Process(command), session, dg14, RandomSource.System).StartSession();
        Assert.True(ActiveAuthenticationTerminal.Perform(command => card.Process(command), renewed, key, dg14.ActiveAuthentication, RandomSource.System));

        (VirtualCccdCard clone, SecureMessagingSession cloneSession) = OpenWithPace(CardFault.ClonedChip);
        SubjectPublicKey cloneKey = Dg15.Parse(ReadFile(clone, cloneSession, "010F"));
        Assert.False(ActiveAuthenticationTerminal.Perform(command => clone.Process(command), cloneSession, cloneKey, dg14.ActiveAuthentication, RandomSource.System));
    }

    private static string CipherKindName(SessionKeys keys) => keys.Cipher.ToString();
}
