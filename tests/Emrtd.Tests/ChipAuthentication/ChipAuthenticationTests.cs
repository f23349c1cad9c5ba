using System.Formats.Asn1;
using System.Security.Cryptography;
using Kiosk.Emrtd;
using Kiosk.Emrtd.ActiveAuthentication;
using Kiosk.Emrtd.ChipAuthentication;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;

namespace Emrtd.Tests.ChipAuthentication;

public class ChipAuthenticationTests
{
    /// <summary>6E { SET { ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo (id-PK-ECDH), ActiveAuthenticationInfo } }.</summary>
    public static byte[] Dg14File(byte[] spki, string caOid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSetOf();
        writer.PushSequence();
        writer.WriteObjectIdentifier(caOid);
        writer.WriteInteger(1);
        writer.PopSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier(SubjectPublicKey.IdPkEcdh);
        writer.WriteEncodedValue(spki);
        writer.PopSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier(Dg14.IdActiveAuthentication);
        writer.WriteInteger(1);
        writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
        writer.PopSequence();
        writer.PopSetOf();
        return BerTlv.Encode(0x6E, writer.Encode());
    }

    private static readonly SessionKeys PaceKeys = new(CipherKind.Aes128, Convert.FromHexString("F5F0E35C0D7161EE6724EE513A0D9A7F"),
        Convert.FromHexString("FE251C7858B356B24514B3BD5F4297D1"), new byte[16]);

    [Theory]
    [InlineData("0.4.0.127.0.7.2.2.3.2.1", CipherKind.TripleDes)]
    [InlineData("0.4.0.127.0.7.2.2.3.2.2", CipherKind.Aes128)]
    [InlineData("0.4.0.127.0.7.2.2.3.2.4", CipherKind.Aes256)]
    public void Terminal_and_chip_agree_and_continue_under_the_new_keys(string protocol, CipherKind cipher)
    {
        EllipticCurve curve = StandardDomainParameters.ById(StandardDomainParameters.BrainpoolP256r1);
        EcKeyPair chipKey = EcKeyPair.Generate(curve, RandomSource.System);
        byte[] spki = SpkiOf(curve, chipKey, "1.3.36.3.3.2.8.1.1.7");
        Dg14 dg14 = Dg14.Parse(Dg14File(spki, protocol));

        SecureMessagingSession terminalSession = PaceKeys.StartSession(), chipSession = PaceKeys.StartSession();
        SessionKeys? chipNewKeys = null;
        var seen = new List<byte>();
        byte[] Chip(byte[] wrapped)
        {
            if (chipNewKeys is not null)
            {
                SecureMessagingSession next = chipNewKeys.StartSession();
                chipSession = next;
                chipNewKeys = null;
            }
            CommandApdu command = chipSession.UnwrapCommand(wrapped);
            seen.Add(command.Ins);
            if (command.Ins == 0xB0) return chipSession.WrapResponse(new ResponseApdu([0x60], StatusWords.Success));
            if (command.Ins == 0x86 || (command.Ins == 0x22 && command.P2 == 0xA6))
            {
                byte[] terminalPublic = ChipAuthenticationSteps.ReadEphemeralPublicKey(command);
                byte[] shared = ChipAuthenticationSteps.SharedSecret(dg14.ChipAuthenticationPublicKeys[0].PublicKey, chipKey.PrivateKey, terminalPublic);
                chipNewKeys = ChipAuthenticationSteps.DeriveSessionKeys(shared, cipher);
                return chipSession.WrapResponse(new ResponseApdu(command.Ins == 0x86 ? [0x7C, 0x00] : [], StatusWords.Success));
            }
            return chipSession.WrapResponse(ResponseApdu.Status(StatusWords.Success));
        }

        SessionKeys keys = ChipAuthenticationTerminal.Perform(Chip, terminalSession, dg14, RandomSource.System);
        Assert.Equal(cipher, keys.Cipher);
        Assert.Equal(new byte[cipher.BlockSize()], keys.SendSequenceCounter);
        ChipAuthenticationTerminal.Confirm(Chip, keys.StartSession());
        Assert.Equal(cipher == CipherKind.TripleDes ? [0x22, 0xB0] : [0x22, 0x86, 0xB0], seen);
    }

    [Fact]
    public void A_clone_without_the_private_key_fails_confirmation()
    {
        EllipticCurve curve = StandardDomainParameters.ById(StandardDomainParameters.NistP256);
        EcKeyPair realKey = EcKeyPair.Generate(curve, RandomSource.System), cloneKey = EcKeyPair.Generate(curve, RandomSource.System);
        Dg14 dg14 = Dg14.Parse(Dg14File(SpkiOf(curve, realKey, "1.2.840.10045.3.1.7"), "0.4.0.127.0.7.2.2.3.2.2"));
        SecureMessagingSession chipSession = PaceKeys.StartSession();
        SessionKeys? next = null;
        byte[] Clone(byte[] wrapped)
        {
            if (next is not null) { chipSession = next.StartSession(); next = null; }
            CommandApdu command = chipSession.UnwrapCommand(wrapped);
            if (command.Ins == 0x86)
            {
                byte[] shared = ChipAuthenticationSteps.SharedSecret(dg14.ChipAuthenticationPublicKeys[0].PublicKey, cloneKey.PrivateKey,
                    ChipAuthenticationSteps.ReadEphemeralPublicKey(command));
                next = ChipAuthenticationSteps.DeriveSessionKeys(shared, CipherKind.Aes128);
            }
            return chipSession.WrapResponse(ResponseApdu.Status(StatusWords.Success));
        }
        SessionKeys keys = ChipAuthenticationTerminal.Perform(Clone, PaceKeys.StartSession(), dg14, RandomSource.System);
        Assert.Throws<AuthenticationFailedException>(() => ChipAuthenticationTerminal.Confirm(Clone, keys.StartSession()));
    }

    [Fact]
    public void Command_bytes()
    {
        Assert.Equal("002241A6089103040506840101", Convert.ToHexString(ChipAuthenticationSteps.SetKeyAgreementTemplate([4, 5, 6], 1).Encode()));
        Assert.Equal("002241A40C800A04007F00070202030202", Convert.ToHexString(ChipAuthenticationSteps.SetAuthenticationTemplate("0.4.0.127.0.7.2.2.3.2.2", null).Encode()));
        Assert.Equal("00860000057C03800104" + "00", Convert.ToHexString(ChipAuthenticationSteps.GeneralAuthenticate([4]).Encode()));
        Assert.Throws<UnsupportedProtocolException>(() => ChipAuthenticationSteps.Cipher("1.2.3"));
    }

    [Fact]
    public void Dh_shared_secret_is_symmetric()
    {
        // RFC 3526 group 14 prime is too slow to matter here; a 512-bit safe-ish prime from the platform's DH is not
        // available, so use the 1024-bit MODP group 2 (RFC 2409).
        var p = EllipticCurve.ToInteger(Convert.FromHexString(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"));
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier(SubjectPublicKey.IdDhKeyAgreement);
        writer.PushSequence();
        writer.WriteInteger(p);
        writer.WriteInteger(2);
        writer.PopSequence();
        writer.PopSequence();
        var chipPrivate = new System.Numerics.BigInteger(123456789);
        var y = new AsnWriter(AsnEncodingRules.DER);
        y.WriteInteger(System.Numerics.BigInteger.ModPow(2, chipPrivate, p));
        writer.WriteBitString(y.Encode());
        writer.PopSequence();
        SubjectPublicKey chipKey = SubjectPublicKey.Parse(writer.Encode());
        ChipAuthenticationEphemeralKey ephemeral = ChipAuthenticationSteps.GenerateEphemeralKey(chipKey, RandomSource.System);
        byte[] chipY = EllipticCurve.ToFixedLength(chipKey.DhPublicValue!.Value, 128);
        Assert.Equal(ChipAuthenticationSteps.SharedSecret(chipKey, ephemeral.PrivateValue, chipY),
            ChipAuthenticationSteps.SharedSecret(chipKey, chipPrivate, ephemeral.PublicKey));
    }

    public static byte[] SpkiOf(EllipticCurve curve, EcKeyPair key, string curveOid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier(SubjectPublicKey.IdEcPublicKey);
        writer.WriteObjectIdentifier(curveOid);
        writer.PopSequence();
        writer.WriteBitString(curve.Encode(key.PublicKey));
        writer.PopSequence();
        return writer.Encode();
    }
}

public class ActiveAuthenticationTests
{
    private static readonly byte[] Challenge = Convert.FromHexString("0102030405060708");

    [Fact]
    public void Ecdsa_plain_and_der_signatures()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        SubjectPublicKey dg15 = SubjectPublicKey.Parse(key.ExportSubjectPublicKeyInfo());
        var info = new ActiveAuthenticationInfo(1, "1.2.840.10045.4.3.2");
        Assert.True(ActiveAuthenticationSteps.Verify(dg15, Challenge, key.SignData(Challenge, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), info));
        Assert.True(ActiveAuthenticationSteps.Verify(dg15, Challenge, key.SignData(Challenge, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), null));
        Assert.False(ActiveAuthenticationSteps.Verify(dg15, [.. Challenge[..7], 0], key.SignData(Challenge, HashAlgorithmName.SHA256), info));
    }

    [Fact]
    public void Rsa_iso9796_2_scheme_1_message_recovery()
    {
        using RSA rsa = RSA.Create(1024);
        SubjectPublicKey dg15 = SubjectPublicKey.Parse(rsa.ExportSubjectPublicKeyInfo());
        byte[] signature = ActiveAuthenticationSteps.SignIso9796Scheme1(rsa.ExportParameters(true), Challenge, RandomSource.System);
        Assert.Equal(128, signature.Length);
        Assert.True(ActiveAuthenticationSteps.Verify(dg15, Challenge, signature));
        Assert.False(ActiveAuthenticationSteps.Verify(dg15, Convert.FromHexString("0102030405060709"), signature));
        signature[5] ^= 1;
        Assert.False(ActiveAuthenticationSteps.Verify(dg15, Challenge, signature));
        Assert.Equal("008800000801020304050607080" + "0", Convert.ToHexString(ActiveAuthenticationSteps.InternalAuthenticate(Challenge).Encode()));
    }

    [Fact]
    public void Terminal_sends_internal_authenticate_in_plain()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        SubjectPublicKey dg15 = SubjectPublicKey.Parse(key.ExportSubjectPublicKeyInfo());
        byte[] Card(byte[] apdu)
        {
            CommandApdu command = CommandApdu.Parse(apdu);
            return new ResponseApdu(key.SignData(command.Data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), StatusWords.Success).Encode();
        }
        Assert.True(ActiveAuthenticationTerminal.Perform(Card, null, dg15, null, RandomSource.System));
    }
}
