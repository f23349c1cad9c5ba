using System.Numerics;
using System.Security.Cryptography;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.SecureMessaging;

namespace Kiosk.Emrtd.ActiveAuthentication;

/// <summary>
/// Active authentication (Doc 9303 Part 11 §6.1, emrtd.md §2.3): INTERNAL AUTHENTICATE with an 8-byte random challenge;
/// the chip signs it with the private key of DG15. RSA signatures use ISO/IEC 9796-2 digital signature scheme 1
/// (message recovery, trailer BC = SHA-1 or hh CC), ECDSA signatures the hash of DG14's ActiveAuthenticationInfo.
/// </summary>
public static class ActiveAuthenticationSteps
{
    public const int ChallengeLength = 8;

    /// <summary>00 88 00 00 08 challenge, Le 256 (extended Le when the caller asks, for RSA keys above 2048 bits).</summary>
    public static CommandApdu InternalAuthenticate(byte[] challenge, int expectedLength = CommandApdu.MaxShortNe)
    {
        if (challenge.Length != ChallengeLength) throw new MalformedDataException($"[ActiveAuthentication] challenge of {challenge.Length} bytes");
        return new CommandApdu(0x00, 0x88, 0x00, 0x00, challenge, expectedLength);
    }

    /// <summary>True when <paramref name="signature"/> is the DG15 key's signature over <paramref name="challenge"/>.</summary>
    public static bool Verify(SubjectPublicKey key, byte[] challenge, byte[] signature, ActiveAuthenticationInfo? info = null)
    {
        return key.Kind switch
        {
            PublicKeyKind.Rsa => VerifyIso9796Scheme1(key, challenge, signature),
            PublicKeyKind.EllipticCurve => VerifyEcdsa(key, challenge, signature, info),
            _ => throw new UnsupportedProtocolException("[ActiveAuthentication] DG15 key is neither RSA nor EC"),
        };
    }

    private static bool VerifyEcdsa(SubjectPublicKey key, byte[] challenge, byte[] signature, ActiveAuthenticationInfo? info)
    {
        HashAlgorithmName[] hashes = info?.SignatureAlgorithm switch
        {
            "1.2.840.10045.4.1" or "0.4.0.127.0.7.1.1.4.1.1" => [HashAlgorithmName.SHA1],
            "1.2.840.10045.4.3.2" or "0.4.0.127.0.7.1.1.4.1.3" => [HashAlgorithmName.SHA256],
            "1.2.840.10045.4.3.3" or "0.4.0.127.0.7.1.1.4.1.4" => [HashAlgorithmName.SHA384],
            "1.2.840.10045.4.3.4" or "0.4.0.127.0.7.1.1.4.1.5" => [HashAlgorithmName.SHA512],
            // No AA info (or an unknown OID): chips in the field use SHA-1 or SHA-256; both are tried.
            _ => [HashAlgorithmName.SHA256, HashAlgorithmName.SHA1, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512],
        };
        if (!key.IsPlatformCurve)
            return hashes.Any(hash => PassiveAuthentication.ManagedEcdsa.Verify(key, challenge, signature, hash, derEncoded: false)
                                      || PassiveAuthentication.ManagedEcdsa.Verify(key, challenge, signature, hash, derEncoded: true));
        using ECDsa ecdsa = key.CreateEcdsa();
        foreach (HashAlgorithmName hash in hashes)
        {
            foreach (DSASignatureFormat format in new[] { DSASignatureFormat.IeeeP1363FixedFieldConcatenation, DSASignatureFormat.Rfc3279DerSequence })
            {
                try { if (ecdsa.VerifyData(challenge, signature, hash, format)) return true; }
                catch (CryptographicException) { }
            }
        }
        return false;
    }

    /// <summary>
    /// ISO/IEC 9796-2 scheme 1: m' = s^e mod n must be 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ BC (SHA-1), or end in hh CC with hh
    /// the ISO/IEC 10118-3 hash identifier (33 SHA-1, 34 SHA-256, 35 SHA-512, 36 SHA-384).
    /// </summary>
    public static bool VerifyIso9796Scheme1(SubjectPublicKey key, byte[] challenge, byte[] signature)
    {
        using RSA rsa = key.CreateRsa();
        RSAParameters parameters = rsa.ExportParameters(false);
        BigInteger n = EllipticCurveInteger(parameters.Modulus!), e = EllipticCurveInteger(parameters.Exponent!);
        BigInteger s = EllipticCurveInteger(signature);
        if (s.Sign <= 0 || s >= n) return false;
        int k = parameters.Modulus!.Length;
        BigInteger recovered = BigInteger.ModPow(s, e, n);
        // ISO 9796-2 allows the signature representative min(s, n - s); try both.
        foreach (BigInteger candidate in new[] { recovered, n - recovered })
        {
            byte[] m = Pace.EllipticCurve.ToFixedLength(candidate, k);
            if (Check(m, challenge)) return true;
        }
        return false;
    }

    private static bool Check(byte[] m, byte[] challenge)
    {
        if (m.Length < 24 || (m[0] & 0xC0) != 0x40) return false;
        HashAlgorithmName hash;
        int trailer;
        if (m[^1] == 0xBC) { hash = HashAlgorithmName.SHA1; trailer = 1; }
        else if (m[^1] == 0xCC)
        {
            trailer = 2;
            hash = m[^2] switch
            {
                0x33 => HashAlgorithmName.SHA1,
                0x34 => HashAlgorithmName.SHA256,
                0x35 => HashAlgorithmName.SHA512,
                0x36 => HashAlgorithmName.SHA384,
                _ => default,
            };
            if (hash == default) return false;
        }
        else return false;
        int hashLength = HashAlgorithms.Hash(hash, []).Length;
        int m1Length = m.Length - 1 - hashLength - trailer;
        if (m1Length < 0 || m[0] != 0x6A) return false; // 6A: partial recovery with padding bits 1010 as the card writes it
        byte[] m1 = m[1..(1 + m1Length)];
        byte[] digest = m[(1 + m1Length)..(1 + m1Length + hashLength)];
        return CryptographicOperations.FixedTimeEquals(HashAlgorithms.Hash(hash, [.. m1, .. challenge]), digest);
    }

    /// <summary>Card side of ISO 9796-2 scheme 1 with SHA-1 (for the virtual card and tests): 6A ‖ M1 ‖ SHA-1(M1 ‖ challenge) ‖ BC, then s = m'^d mod n.</summary>
    public static byte[] SignIso9796Scheme1(RSAParameters privateKey, byte[] challenge, RandomBytes random)
    {
        int k = privateKey.Modulus!.Length;
        byte[] m1 = random(k - 22);
        m1[0] &= 0x7F;
        byte[] m = [0x6A, .. m1, .. SHA1.HashData([.. m1, .. challenge]), 0xBC];
        BigInteger s = BigInteger.ModPow(EllipticCurveInteger(m), EllipticCurveInteger(privateKey.D!), EllipticCurveInteger(privateKey.Modulus));
        return Pace.EllipticCurve.ToFixedLength(s, k);
    }

    private static BigInteger EllipticCurveInteger(byte[] bytes) => Pace.EllipticCurve.ToInteger(bytes);
}

/// <summary>The terminal's side, with the I/O through the secure-messaging session.</summary>
public static class ActiveAuthenticationTerminal
{
    /// <summary>Sends INTERNAL AUTHENTICATE with a fresh challenge and verifies the answer with the DG15 key.</summary>
    public static bool Perform(ApduTransmit transmit, SecureMessagingSession? session, SubjectPublicKey dg15Key, ActiveAuthenticationInfo? info, RandomBytes random)
    {
        byte[] challenge = random(ActiveAuthenticationSteps.ChallengeLength);
        CommandApdu command = ActiveAuthenticationSteps.InternalAuthenticate(challenge);
        ResponseApdu answer = session is null ? ResponseApdu.Parse(transmit(command.Encode())) : session.UnwrapResponse(transmit(session.WrapCommand(command)));
        if (!answer.IsSuccess) throw new AuthenticationFailedException($"[ActiveAuthentication] INTERNAL AUTHENTICATE answered {answer.StatusWord:X4}");
        return ActiveAuthenticationSteps.Verify(dg15Key, challenge, answer.Data, info);
    }
}
