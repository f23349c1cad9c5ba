using System.Formats.Asn1;
using System.Security.Cryptography;
using Kiosk.Emrtd.Lds;

namespace Kiosk.Emrtd.PassiveAuthentication;

/// <summary>
/// Verifies the signatures eMRTD PKIs use: RSA PKCS #1 v1.5, RSA-PSS (salt = hash length), ECDSA (X9.62 DER and BSI
/// plain r‖s), on keys parsed by <see cref="SubjectPublicKey"/> (so brainpool curves with explicit parameters work).
/// </summary>
public static class SignatureVerifier
{
    private static readonly Dictionary<string, (string Kind, HashAlgorithmName Hash)> Algorithms = new()
    {
        ["1.2.840.113549.1.1.5"] = ("rsa", HashAlgorithmName.SHA1),
        ["1.2.840.113549.1.1.11"] = ("rsa", HashAlgorithmName.SHA256),
        ["1.2.840.113549.1.1.12"] = ("rsa", HashAlgorithmName.SHA384),
        ["1.2.840.113549.1.1.13"] = ("rsa", HashAlgorithmName.SHA512),
        ["1.2.840.10045.4.1"] = ("ecdsa", HashAlgorithmName.SHA1),
        ["1.2.840.10045.4.3.2"] = ("ecdsa", HashAlgorithmName.SHA256),
        ["1.2.840.10045.4.3.3"] = ("ecdsa", HashAlgorithmName.SHA384),
        ["1.2.840.10045.4.3.4"] = ("ecdsa", HashAlgorithmName.SHA512),
        ["0.4.0.127.0.7.1.1.4.1.1"] = ("plain-ecdsa", HashAlgorithmName.SHA1),
        ["0.4.0.127.0.7.1.1.4.1.3"] = ("plain-ecdsa", HashAlgorithmName.SHA256),
        ["0.4.0.127.0.7.1.1.4.1.4"] = ("plain-ecdsa", HashAlgorithmName.SHA384),
        ["0.4.0.127.0.7.1.1.4.1.5"] = ("plain-ecdsa", HashAlgorithmName.SHA512),
    };

    /// <summary>
    /// True when <paramref name="signature"/> over <paramref name="data"/> verifies. <paramref name="digestAlgorithm"/>
    /// names the hash when the signature algorithm does not (rsaEncryption or id-ecPublicKey as a CMS signature
    /// algorithm). Unknown algorithms raise <see cref="UnsupportedProtocolException"/>.
    /// </summary>
    public static bool Verify(AlgorithmIdentifier signatureAlgorithm, SubjectPublicKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature,
        AlgorithmIdentifier? digestAlgorithm = null)
    {
        (string kind, HashAlgorithmName hash) = Resolve(signatureAlgorithm, digestAlgorithm);
        switch (kind)
        {
            case "rsa" or "pss":
            {
                if (key.Kind != PublicKeyKind.Rsa) return false;
                using RSA rsa = key.CreateRsa();
                RSASignaturePadding padding = kind == "pss" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                try { return rsa.VerifyData(data, signature, hash, padding); }
                catch (CryptographicException) { return false; }
            }
            default:
            {
                if (key.Kind != PublicKeyKind.EllipticCurve) return false;
                if (!key.IsPlatformCurve) return ManagedEcdsa.Verify(key, data, signature, hash, derEncoded: kind != "plain-ecdsa");
                using ECDsa ecdsa = key.CreateEcdsa();
                DSASignatureFormat format = kind == "plain-ecdsa" ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence;
                try { return ecdsa.VerifyData(data, signature, hash, format); }
                catch (CryptographicException) { return false; }
            }
        }
    }

    private static (string Kind, HashAlgorithmName Hash) Resolve(AlgorithmIdentifier algorithm, AlgorithmIdentifier? digest)
    {
        if (Algorithms.TryGetValue(algorithm.Oid, out var known)) return known;
        HashAlgorithmName DigestHash() => digest is not null && HashAlgorithms.FromOid(digest.Oid) is HashAlgorithmName name
            ? name
            : throw new UnsupportedProtocolException($"[Signature] no supported digest for {algorithm.Oid}");
        switch (algorithm.Oid)
        {
            case SubjectPublicKey.IdRsaEncryption: return ("rsa", DigestHash());
            case SubjectPublicKey.IdEcPublicKey: return ("ecdsa", DigestHash());
            case SubjectPublicKey.IdRsaPss: return ("pss", PssHash(algorithm));
            default: throw new UnsupportedProtocolException($"[Signature] algorithm {algorithm.Oid}");
        }
    }

    /// <summary>RSASSA-PSS-params { [0] hash (SHA-1), [1] MGF1(hash), [2] saltLength (20), [3] trailer (1) }.</summary>
    private static HashAlgorithmName PssHash(AlgorithmIdentifier algorithm) => Asn.Parse("RSASSA-PSS-params", () =>
    {
        HashAlgorithmName hash = HashAlgorithmName.SHA1;
        int salt = 20;
        if (algorithm.Parameters is not null && algorithm.Parameters[0] != 0x05)
        {
            AsnReader parameters = new AsnReader(algorithm.Parameters, AsnEncodingRules.BER).ReadSequence();
            while (parameters.HasData)
            {
                Asn1Tag tag = parameters.PeekTag();
                AsnReader field = parameters.ReadSequence(tag);
                switch (tag.TagValue)
                {
                    case 0:
                        hash = HashAlgorithms.FromOid(AlgorithmIdentifier.Read(field).Oid)
                               ?? throw new UnsupportedProtocolException("[RSA-PSS] hash algorithm");
                        break;
                    case 2:
                        salt = Asn.ReadSmallInteger(field, "RSA-PSS", 1024);
                        break;
                }
            }
        }
        int hashLength = hash == HashAlgorithmName.SHA1 ? 20 : hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : 64;
        if (salt != hashLength) throw new UnsupportedProtocolException($"[RSA-PSS] salt length {salt} differs from the hash length");
        return hash;
    });
}
