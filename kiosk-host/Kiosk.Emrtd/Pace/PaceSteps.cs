using System.Numerics;
using System.Security.Cryptography;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.SecureMessaging;

namespace Kiosk.Emrtd.Pace;

/// <summary>
/// PACE with ECDH generic mapping (Part 11 §4.4, worked example G.1) as pure steps, shared by the terminal and the
/// virtual card: command builders, the tags of the dynamic authentication data (7C), the nonce, the mapping
/// G~ = s·G + H, the key agreement, the session keys and the authentication tokens.
/// </summary>
public static class PaceSteps
{
    public const int TagEncryptedNonce = 0x80;
    public const int TagMappingDataTerminal = 0x81;
    public const int TagMappingDataChip = 0x82;
    public const int TagEphemeralKeyTerminal = 0x83;
    public const int TagEphemeralKeyChip = 0x84;
    public const int TagTokenTerminal = 0x85;
    public const int TagTokenChip = 0x86;
    public const int TagDynamicAuthenticationData = 0x7C;
    public const int TagPublicKey = 0x7F49;
    public const int TagEcPublicPoint = 0x86;

    /// <summary>MSE:Set AT for PACE: 80 protocol OID, 83 password reference, 84 parameterId only when asked for.</summary>
    public static CommandApdu MseSetAt(PaceAlgorithm algorithm, PacePasswordType password, int? parameterId = null)
    {
        byte[] data = [.. BerTlv.Encode(0x80, algorithm.OidContent()), .. BerTlv.Encode(0x83, [(byte)password])];
        if (parameterId is int id) data = [.. data, .. BerTlv.Encode(0x84, [(byte)id])];
        return new CommandApdu(0x00, 0x22, 0xC1, 0xA4, data);
    }

    /// <summary>GENERAL AUTHENTICATE with 7C { tag value }; command chaining (CLA 10) on every step but the last.</summary>
    public static CommandApdu GeneralAuthenticate(int tag, ReadOnlySpan<byte> value, bool lastStep)
    {
        return new CommandApdu(lastStep ? (byte)0x00 : (byte)0x10, 0x86, 0x00, 0x00,
            BerTlv.Encode(TagDynamicAuthenticationData, BerTlv.Encode(tag, value)), CommandApdu.MaxShortNe);
    }

    /// <summary>Step 1: ask for the encrypted nonce with an empty 7C (7C 00), chained.</summary>
    public static CommandApdu GetEncryptedNonce() =>
        new(0x10, 0x86, 0x00, 0x00, BerTlv.Encode(TagDynamicAuthenticationData, []), CommandApdu.MaxShortNe);

    /// <summary>The value of one tag in the 7C of a GENERAL AUTHENTICATE response (or command, on the card's side).</summary>
    public static byte[] ReadDynamicAuthenticationData(ReadOnlySpan<byte> data, int tag, string step)
    {
        Tlv outer = BerTlv.ParseSingle(data);
        if (outer.Tag != TagDynamicAuthenticationData)
            throw new MalformedDataException($"[PACE {step}] expected tag 7C, found {outer.Tag:X}");
        Tlv? inner = BerTlv.Find(BerTlv.ParseAll(outer.Value), tag);
        return inner?.Value ?? throw new MalformedDataException($"[PACE {step}] tag {tag:X2} missing in 7C");
    }

    public static byte[] ReadResponse(ResponseApdu response, int tag, string step)
    {
        if (response.StatusWord == StatusWords.AuthenticationFailed)
            throw new AuthenticationFailedException($"[PACE {step}] card answered 6300: wrong CAN or MRZ");
        if (!response.IsSuccess) throw new AuthenticationFailedException($"[PACE {step}] card answered {response.StatusWord:X4}");
        return ReadDynamicAuthenticationData(response.Data, tag, step);
    }

    /// <summary>s = D(K_π, z) with CBC and IV 0.</summary>
    public static byte[] DecryptNonce(CipherKind cipher, ReadOnlySpan<byte> keyPi, ReadOnlySpan<byte> encryptedNonce) =>
        BlockCiphers.Decrypt(cipher, keyPi, new byte[cipher.BlockSize()], encryptedNonce);

    /// <summary>Card: z = E(K_π, s).</summary>
    public static byte[] EncryptNonce(CipherKind cipher, ReadOnlySpan<byte> keyPi, ReadOnlySpan<byte> nonce) =>
        BlockCiphers.Encrypt(cipher, keyPi, new byte[cipher.BlockSize()], nonce);

    /// <summary>
    /// Generic mapping: H = own mapping key · other side's mapping key, G~ = s·G + H. H at infinity is refused, as the
    /// protocol requires. Returns H (for the worked example) and the curve with the mapped generator.
    /// </summary>
    public static (EcPoint SharedPoint, EllipticCurve MappedCurve) MapGenerator(EllipticCurve curve, ReadOnlySpan<byte> nonce,
        BigInteger ownMappingPrivateKey, EcPoint otherMappingPublicKey)
    {
        if (!curve.IsOnCurve(otherMappingPublicKey) || otherMappingPublicKey.IsInfinity)
            throw new InvalidPointException("[PACE mapping] the other side's mapping key is not a curve point");
        EcPoint shared = curve.Multiply(ownMappingPrivateKey, otherMappingPublicKey);
        if (shared.IsInfinity) throw new InvalidPointException("[PACE mapping] H is the point at infinity");
        EcPoint generator = curve.Add(curve.Multiply(EllipticCurve.ToInteger(nonce), curve.G), shared);
        if (generator.IsInfinity) throw new InvalidPointException("[PACE mapping] the mapped generator is the point at infinity");
        return (shared, curve.WithGenerator(generator));
    }

    /// <summary>
    /// The x-coordinate of own ephemeral private key · other side's ephemeral public key, on the mapped curve. The two
    /// public keys must differ (§4.4.3.3).
    /// </summary>
    public static byte[] SharedSecret(EllipticCurve mappedCurve, EcKeyPair own, EcPoint otherPublicKey)
    {
        if (otherPublicKey == own.PublicKey) throw new AuthenticationFailedException("[PACE key agreement] both ephemeral public keys are equal");
        if (!mappedCurve.IsOnCurve(otherPublicKey) || otherPublicKey.IsInfinity)
            throw new InvalidPointException("[PACE key agreement] the other side's ephemeral key is not a curve point");
        EcPoint shared = mappedCurve.Multiply(own.PrivateKey, otherPublicKey);
        if (shared.IsInfinity) throw new InvalidPointException("[PACE key agreement] the shared point is at infinity");
        return mappedCurve.Coordinate(shared.X);
    }

    /// <summary>KS_enc = KDF(K, 1), KS_mac = KDF(K, 2); secure messaging after PACE starts with SSC 0.</summary>
    public static SessionKeys DeriveSessionKeys(CipherKind cipher, ReadOnlySpan<byte> sharedSecret) =>
        new(cipher,
            KeyDerivation.Derive(sharedSecret, KeyDerivation.EncryptionCounter, cipher),
            KeyDerivation.Derive(sharedSecret, KeyDerivation.MacCounter, cipher),
            new byte[cipher.BlockSize()]);

    /// <summary>7F49 { 06 protocol OID, 86 uncompressed point } (Part 11 §9.4.2, the input of the tokens).</summary>
    public static byte[] PublicKeyDataObject(PaceAlgorithm algorithm, ReadOnlySpan<byte> encodedPoint) =>
        BerTlv.Encode(TagPublicKey, [.. ObjectIdentifiers.Encode(algorithm.Oid), .. BerTlv.Encode(TagEcPublicPoint, encodedPoint)]);

    /// <summary>T = MAC(KS_mac, 7F49 of the other side's ephemeral public key): CMAC for AES, retail MAC for 3DES.</summary>
    public static byte[] AuthenticationToken(PaceAlgorithm algorithm, SessionKeys keys, ReadOnlySpan<byte> otherEncodedPublicKey) =>
        MessageAuthentication.OverMessage(algorithm.Cipher, keys.Mac, PublicKeyDataObject(algorithm, otherEncodedPublicKey));

    public static void VerifyToken(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> received, string step)
    {
        if (!CryptographicOperations.FixedTimeEquals(expected, received))
            throw new AuthenticationFailedException($"[PACE {step}] the authentication token does not verify");
    }
}
