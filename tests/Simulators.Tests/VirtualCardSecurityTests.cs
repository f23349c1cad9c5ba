using Kiosk.Emrtd.ActiveAuthentication;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.AccessControl;
using Kiosk.Simulators.VirtualCard.Security;

namespace Simulators.Tests;

/// <summary>The virtual card's SOD, DG2/DG14/DG15, test PKI and faulty variants, checked with the kiosk's own verifier.</summary>
public sealed class VirtualCardSecurityTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("card-pki-").FullName;

    public void Dispose() => Directory.Delete(folder, true);

    private (VirtualCccdCard Card, CardPki Pki) Card(CardFault fault)
    {
        CardPki pki = CardPki.CreateOrLoad(folder);
        var card = new VirtualCccdCard(VirtualCardTests.Profile("nguyen-van-an"), new VirtualCardOptions { Security = new CardSecurity(pki, fault) });
        Assert.Equal("9000", Hex.Of(card.Process(Hex.Bytes("00A4040C07A0000002471001"))));
        return (card, pki);
    }

    private static Dictionary<int, byte[]> ReadGroups(VirtualCccdCard card) => new()
    {
        [1] = VirtualCardTests.ReadFile(card.Process, "0101"),
        [2] = VirtualCardTests.ReadFile(card.Process, "0102"),
        [13] = VirtualCardTests.ReadFile(card.Process, "010D"),
        [14] = VirtualCardTests.ReadFile(card.Process, "010E"),
        [15] = VirtualCardTests.ReadFile(card.Process, "010F"),
    };

    private static PassiveAuthenticationResult Verify(VirtualCccdCard card, CardPki pki) =>
        PassiveAuthenticator.Verify(VirtualCardTests.ReadFile(card.Process, "011D"), ReadGroups(card), CscaTrustStore.FromFolder(pki.TrustFolder), DateTimeOffset.UtcNow);

    [Fact]
    public void Genuine_card_passes_passive_authentication_against_the_exported_csca()
    {
        (VirtualCccdCard card, CardPki pki) = Card(CardFault.None);
        PassiveAuthenticationResult result = Verify(card, pki);
        Assert.Equal(PassiveAuthenticationStatus.Valid, result.Status);
        Assert.Equal([1, 2, 13, 14, 15], result.VerifiedDataGroups);
        Assert.Equal([1, 2, 13, 14, 15], EfCom.Parse(VirtualCardTests.ReadFile(card.Process, "011E")).DataGroups);
        Assert.True(File.Exists(Path.Combine(pki.TrustFolder, "csca.der")));
    }

    [Fact]
    public void Faulty_cards()
    {
        PassiveAuthenticationResult tampered = Verify(Card(CardFault.TamperedDg13).Card, CardPki.CreateOrLoad(folder));
        Assert.Equal(PassiveAuthenticationStatus.Invalid, tampered.Status);
        Assert.Equal(["DG13 hash does not match the SOD"], tampered.Failures);
        Dg13.Parse(VirtualCardTests.ReadFile(Card(CardFault.TamperedDg13).Card.Process, "010D")); // still well-formed

        PassiveAuthenticationResult unknown = Verify(Card(CardFault.UnknownCsca).Card, CardPki.CreateOrLoad(folder));
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, unknown.Status);

        PassiveAuthenticationResult expired = Verify(Card(CardFault.ExpiredDocumentSigner).Card, CardPki.CreateOrLoad(folder));
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, expired.Status);
        Assert.Contains(expired.Failures, f => f.StartsWith("the document signer certificate is not valid", StringComparison.Ordinal));
    }

    [Fact]
    public void Pki_is_created_once_and_loaded_afterwards()
    {
        byte[] first = CardPki.CreateOrLoad(folder).Csca.Der;
        Assert.Equal(first, CardPki.CreateOrLoad(folder).Csca.Der);
        Assert.True(File.Exists(Path.Combine(folder, "csca.pem")));
        Assert.True(File.Exists(Path.Combine(folder, "document-signer.key.pem")));
    }

    [Fact]
    public void Dg2_is_a_jpeg_of_about_15_kb_and_dg14_dg15_parse()
    {
        (VirtualCccdCard card, _) = Card(CardFault.None);
        FaceImage face = Assert.Single(Dg2.Parse(VirtualCardTests.ReadFile(card.Process, "0102")));
        Assert.Equal(FaceImageFormat.Jpeg, face.Format);
        Assert.InRange(face.Data.Length, 14 * 1024, 16 * 1024);
        Assert.Equal([0xFF, 0xD9], face.Data[^2..]);
        Dg14 dg14 = Dg14.Parse(VirtualCardTests.ReadFile(card.Process, "010E"));
        Assert.Equal(CardSecurity.ChipAuthenticationProtocol, dg14.Preferred()!.Value.Protocol);
        Assert.Equal(PublicKeyKind.EllipticCurve, Dg15.Parse(VirtualCardTests.ReadFile(card.Process, "010F")).Kind);
    }

    [Fact]
    public void Active_authentication_verifies_with_dg15()
    {
        (VirtualCccdCard card, _) = Card(CardFault.None);
        SubjectPublicKey dg15 = Dg15.Parse(VirtualCardTests.ReadFile(card.Process, "010F"));
        ActiveAuthenticationInfo? info = Dg14.Parse(VirtualCardTests.ReadFile(card.Process, "010E")).ActiveAuthentication;
        Assert.True(ActiveAuthenticationTerminal.Perform(card.Process, null, dg15, info, Kiosk.Emrtd.RandomSource.System));
    }

    [Fact]
    public void Default_card_is_unchanged_without_security()
    {
        var card = new VirtualCccdCard(VirtualCardTests.Profile("nguyen-van-an"));
        Assert.Equal("9000", Hex.Of(card.Process(Hex.Bytes("00A4040C07A0000002471001"))));
        Assert.Equal("6A82", Hex.Of(card.Process(Hex.Bytes("00A4020C02011D"))));
        Assert.Equal([1, 13], EfCom.Parse(VirtualCardTests.ReadFile(card.Process, "011E")).DataGroups);
    }
}
