using System.Numerics;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;

namespace Kiosk.Emrtd.ChipAuthentication;

/// <summary>The terminal's ephemeral key: its private value (EC scalar or DH exponent) and the public key as sent.</summary>
public sealed record ChipAuthenticationEphemeralKey(BigInteger PrivateValue, byte[] PublicKey)
{
    public override string ToString() => "ChipAuthenticationEphemeralKey { … }";
}

/// <summary>
/// Chip authentication v1 (BSI TR-03110 / Doc 9303 Part 11 §6.2, emrtd.md §2.4) as pure steps: the terminal makes an
/// ephemeral key on the chip's DG14 domain parameters, sends it (3DES: MSE:Set KAT; AES: MSE:Set AT + GENERAL
/// AUTHENTICATE), both sides derive KS_enc/KS_mac from the ECDH x-coordinate (or DH value) and secure messaging restarts
/// with SSC 0. Only a chip holding the DG14 private key can continue the session.
/// </summary>
public static class ChipAuthenticationSteps
{
    /// <summary>The cipher an id-CA-(EC)DH-* OID names: .1 3DES, .2 AES-128, .3 AES-192, .4 AES-256.</summary>
    public static CipherKind Cipher(string protocolOid)
    {
        bool known = protocolOid.StartsWith(Dg14.IdCaEcdh + ".", StringComparison.Ordinal) || protocolOid.StartsWith(Dg14.IdCaDh + ".", StringComparison.Ordinal);
        return (known ? protocolOid[^2..] : "") switch
        {
            ".1" => CipherKind.TripleDes,
            ".2" => CipherKind.Aes128,
            ".3" => CipherKind.Aes192,
            ".4" => CipherKind.Aes256,
            _ => throw new UnsupportedProtocolException($"[ChipAuthentication] protocol {protocolOid}"),
        };
    }

    public static ChipAuthenticationEphemeralKey GenerateEphemeralKey(SubjectPublicKey chipKey, RandomBytes random)
    {
        switch (chipKey.Kind)
        {
            case PublicKeyKind.EllipticCurve:
                EllipticCurve curve = chipKey.Curve!;
                EcKeyPair pair = EcKeyPair.Generate(curve, random);
                return new ChipAuthenticationEphemeralKey(pair.PrivateKey, curve.Encode(pair.PublicKey));
            case PublicKeyKind.DiffieHellman:
                DhParameters dh = chipKey.Dh!;
                BigInteger order = dh.Q ?? dh.P - 1;
                int length = (int)((order.GetBitLength() + 7) / 8);
                BigInteger x = EllipticCurve.ToInteger(random(length)) % (order - 1) + 1;
                return new ChipAuthenticationEphemeralKey(x, EllipticCurve.ToFixedLength(BigInteger.ModPow(dh.G, x, dh.P), dh.Length));
            default:
                throw new UnsupportedProtocolException("[ChipAuthentication] DG14 key is neither ECDH nor DH");
        }
    }

    /// <summary>
    /// The shared secret from one side's private value and the other side's public key: the x-coordinate of d·Q
    /// (field length) for ECDH, y^x mod p (length of p) for DH. The chip calls it with its static private key and the
    /// terminal's ephemeral public key; the terminal the other way round.
    /// </summary>
    public static byte[] SharedSecret(SubjectPublicKey domain, BigInteger privateValue, ReadOnlySpan<byte> otherPublicKey)
    {
        switch (domain.Kind)
        {
            case PublicKeyKind.EllipticCurve:
            {
                EllipticCurve curve = domain.Curve!;
                EcPoint other = curve.Decode(otherPublicKey);
                EcPoint shared = curve.Multiply(privateValue * curve.H, other);
                if (shared.IsInfinity) throw new InvalidPointException("[ChipAuthentication] shared point at infinity");
                return curve.Coordinate(shared.X);
            }
            case PublicKeyKind.DiffieHellman:
            {
                DhParameters dh = domain.Dh!;
                BigInteger y = EllipticCurve.ToInteger(otherPublicKey);
                if (y <= 1 || y >= dh.P - 1) throw new InvalidPointException("[ChipAuthentication] DH public value out of range");
                return EllipticCurve.ToFixedLength(BigInteger.ModPow(y, privateValue, dh.P), dh.Length);
            }
            default:
                throw new UnsupportedProtocolException("[ChipAuthentication] DG14 key is neither ECDH nor DH");
        }
    }

    /// <summary>KS_enc = KDF(K, 1), KS_mac = KDF(K, 2), SSC = 0 (one block).</summary>
    public static SessionKeys DeriveSessionKeys(ReadOnlySpan<byte> sharedSecret, CipherKind cipher) =>
        new(cipher, KeyDerivation.Derive(sharedSecret, KeyDerivation.EncryptionCounter, cipher),
            KeyDerivation.Derive(sharedSecret, KeyDerivation.MacCounter, cipher), new byte[cipher.BlockSize()]);

    /// <summary>3DES: MSE:Set KAT 00 22 41 A6 { 91 ephemeral public key, 84 keyId }.</summary>
    public static CommandApdu SetKeyAgreementTemplate(byte[] ephemeralPublicKey, int? keyId) =>
        new(0x00, 0x22, 0x41, 0xA6, [.. BerTlv.Encode(0x91, ephemeralPublicKey), .. KeyReference(keyId)]);

    /// <summary>AES: MSE:Set AT 00 22 41 A4 { 80 protocol OID, 84 keyId }.</summary>
    public static CommandApdu SetAuthenticationTemplate(string protocolOid, int? keyId) =>
        new(0x00, 0x22, 0x41, 0xA4, [.. BerTlv.Encode(0x80, ObjectIdentifiers.Content(protocolOid)), .. KeyReference(keyId)]);

    /// <summary>AES: GENERAL AUTHENTICATE 00 86 00 00 { 7C { 80 ephemeral public key } } Le 00.</summary>
    public static CommandApdu GeneralAuthenticate(byte[] ephemeralPublicKey) =>
        new(0x00, 0x86, 0x00, 0x00, BerTlv.Encode(0x7C, BerTlv.Encode(0x80, ephemeralPublicKey)), CommandApdu.MaxShortNe);

    /// <summary>The ephemeral public key from a card-side MSE:Set KAT (91) or GENERAL AUTHENTICATE (7C { 80 }) command.</summary>
    public static byte[] ReadEphemeralPublicKey(CommandApdu command)
    {
        IReadOnlyList<Tlv> objects = BerTlv.ParseAll(command.Data);
        if (command.Ins == 0x86)
        {
            Tlv data = BerTlv.Find(objects, 0x7C) ?? throw new MalformedDataException("[ChipAuthentication] no 7C dynamic authentication data");
            objects = BerTlv.ParseAll(data.Value);
            return BerTlv.Find(objects, 0x80)?.Value ?? throw new MalformedDataException("[ChipAuthentication] no 80 ephemeral public key");
        }
        return BerTlv.Find(objects, 0x91)?.Value ?? throw new MalformedDataException("[ChipAuthentication] no 91 ephemeral public key");
    }

    private static byte[] KeyReference(int? keyId)
    {
        if (keyId is not int id) return [];
        byte[] value = new BigInteger(id).ToByteArray(isUnsigned: true, isBigEndian: true);
        return BerTlv.Encode(0x84, value.Length == 0 ? [0] : value);
    }
}

/// <summary>The terminal's side, with the I/O through the current secure-messaging session.</summary>
public static class ChipAuthenticationTerminal
{
    /// <summary>
    /// Runs CA v1 with the DG14 key inside <paramref name="session"/> and returns the keys of the new session (SSC 0).
    /// The chip is authenticated once a command under the new keys is answered with a valid MAC, which the caller's next
    /// read proves (or <see cref="Confirm"/>). A refusal or a bad answer raises an <see cref="EmrtdException"/>.
    /// </summary>
    public static SessionKeys Perform(ApduTransmit transmit, SecureMessagingSession session, Dg14 dg14, RandomBytes random)
    {
        if (dg14.Preferred() is not var (keyInfo, protocol)) throw new UnsupportedProtocolException("[ChipAuthentication] DG14 has no chip-authentication key");
        CipherKind cipher = ChipAuthenticationSteps.Cipher(protocol);
        ChipAuthenticationEphemeralKey ephemeral = ChipAuthenticationSteps.GenerateEphemeralKey(keyInfo.PublicKey, random);
        if (cipher == CipherKind.TripleDes)
        {
            Send(transmit, session, ChipAuthenticationSteps.SetKeyAgreementTemplate(ephemeral.PublicKey, keyInfo.KeyId), "MSE:Set KAT");
        }
        else
        {
            Send(transmit, session, ChipAuthenticationSteps.SetAuthenticationTemplate(protocol, keyInfo.KeyId), "MSE:Set AT");
            Send(transmit, session, ChipAuthenticationSteps.GeneralAuthenticate(ephemeral.PublicKey), "GENERAL AUTHENTICATE");
        }
        byte[] shared = ChipAuthenticationSteps.SharedSecret(keyInfo.PublicKey, ephemeral.PrivateValue, keyInfo.PublicKey.KeyBits);
        return ChipAuthenticationSteps.DeriveSessionKeys(shared, cipher);
    }

    /// <summary>Reads the first byte of EF.COM under the new session: a valid MAC proves the chip knows the DG14 private key.</summary>
    public static void Confirm(ApduTransmit transmit, SecureMessagingSession newSession)
    {
        ResponseApdu answer;
        try { answer = newSession.UnwrapResponse(transmit(newSession.WrapCommand(new CommandApdu(0x00, 0xB0, 0x9E, 0x00, [], 1)))); }
        catch (SecureMessagingException) { throw new AuthenticationFailedException("[ChipAuthentication] the chip did not answer under the new keys"); }
        if (!answer.IsSuccess) throw new AuthenticationFailedException($"[ChipAuthentication] read under the new keys answered {answer.StatusWord:X4}");
    }

    private static void Send(ApduTransmit transmit, SecureMessagingSession session, CommandApdu command, string step)
    {
        ResponseApdu answer = session.UnwrapResponse(transmit(session.WrapCommand(command)));
        if (!answer.IsSuccess) throw new AuthenticationFailedException($"[ChipAuthentication] {step} answered {answer.StatusWord:X4}");
    }
}
