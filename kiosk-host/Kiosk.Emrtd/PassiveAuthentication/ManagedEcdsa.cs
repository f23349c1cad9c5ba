using System.Formats.Asn1;
using System.Numerics;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.Pace;

namespace Kiosk.Emrtd.PassiveAuthentication;

/// <summary>
/// ECDSA verification (SEC 1 §4.1.4) on any prime curve, with this library's curve arithmetic. Used for keys with
/// explicit domain parameters that are no named curve, which the platform's crypto (OpenSSL 3 on Linux) refuses to load.
/// Verification handles only public data, so the arithmetic need not be constant-time.
/// </summary>
public static class ManagedEcdsa
{
    public static bool Verify(EllipticCurve curve, EcPoint publicKey, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature, bool derEncoded)
    {
        BigInteger r, s;
        if (derEncoded)
        {
            try
            {
                AsnReader sequence = new AsnReader(signature.ToArray(), AsnEncodingRules.BER).ReadSequence();
                r = sequence.ReadInteger();
                s = sequence.ReadInteger();
                if (sequence.HasData) return false;
            }
            catch (AsnContentException) { return false; }
        }
        else
        {
            if (signature.Length == 0 || signature.Length % 2 != 0) return false;
            r = EllipticCurve.ToInteger(signature[..(signature.Length / 2)]);
            s = EllipticCurve.ToInteger(signature[(signature.Length / 2)..]);
        }
        BigInteger n = curve.N;
        if (r.Sign <= 0 || r >= n || s.Sign <= 0 || s >= n) return false;
        BigInteger e = EllipticCurve.ToInteger(digest);
        int excess = digest.Length * 8 - (int)n.GetBitLength();
        if (excess > 0) e >>= excess;
        BigInteger w = BigInteger.ModPow(s, n - 2, n);
        BigInteger u1 = e * w % n, u2 = r * w % n;
        EcPoint point = curve.Add(curve.Multiply(u1, curve.G), curve.Multiply(u2, publicKey));
        return !point.IsInfinity && point.X % n == r;
    }

    /// <summary>Verifies with the key's curve; the digest is computed here.</summary>
    public static bool Verify(SubjectPublicKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, System.Security.Cryptography.HashAlgorithmName hash, bool derEncoded) =>
        key.Curve is EllipticCurve curve && key.Point is EcPoint point && Verify(curve, point, HashAlgorithms.Hash(hash, data), signature, derEncoded);
}
