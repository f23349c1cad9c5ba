using System.Formats.Asn1;
using System.Security.Cryptography;
using Kiosk.Emrtd.PassiveAuthentication;

namespace Kiosk.Emrtd.Lds;

/// <summary>
/// The issuer's side of EF.SOD, for the virtual card and tests: hashes the data groups into an LDSSecurityObject and
/// signs it as CMS SignedData (eContentType 2.23.136.1.1.1, signed attributes contentType + messageDigest, the
/// document signer certificate included, SignerInfo by issuer and serial number). The signed attributes also carry a
/// signingTime (now unless given), as issuers' SODs usually do: passive authentication checks the document signer
/// certificate's validity at that time.
/// </summary>
public static class SodWriter
{
    public static byte[] Create(IReadOnlyDictionary<int, byte[]> dataGroups, byte[] documentSignerCertificate, AsymmetricAlgorithm signingKey,
        HashAlgorithmName hash, DateTimeOffset? signingTime = null)
    {
        var hashes = dataGroups.ToDictionary(pair => pair.Key, pair => HashAlgorithms.Hash(hash, pair.Value));
        var securityObject = new LdsSecurityObject(0, new AlgorithmIdentifier(HashAlgorithms.ToOid(hash), null), hashes, null, null);
        return Sign(securityObject.Encode(), documentSignerCertificate, signingKey, hash, signingTime);
    }

    /// <summary>Signs any LDSSecurityObject bytes (tests use it to sign deliberately odd content).</summary>
    /// <param name="signingTime">The signingTime attribute: null for now, <see cref="DateTimeOffset.MinValue"/> to leave it out.</param>
    public static byte[] Sign(byte[] securityObject, byte[] documentSignerCertificate, AsymmetricAlgorithm signingKey, HashAlgorithmName hash,
        DateTimeOffset? signingTime = null)
    {
        DateTimeOffset time = signingTime ?? DateTimeOffset.UtcNow;
        Certificate signer = Certificate.Parse(documentSignerCertificate);
        var digest = new AlgorithmIdentifier(HashAlgorithms.ToOid(hash), null);
        byte[] attributes = Asn.Der(writer =>
        {
            writer.PushSetOf();
            writer.PushSequence();
            writer.WriteObjectIdentifier(EfSod.IdContentType);
            writer.PushSetOf();
            writer.WriteObjectIdentifier(EfSod.IdLdsSecurityObject);
            writer.PopSetOf();
            writer.PopSequence();
            writer.PushSequence();
            writer.WriteObjectIdentifier(EfSod.IdMessageDigest);
            writer.PushSetOf();
            writer.WriteOctetString(HashAlgorithms.Hash(hash, securityObject));
            writer.PopSetOf();
            writer.PopSequence();
            if (time != DateTimeOffset.MinValue)
            {
                writer.PushSequence();
                writer.WriteObjectIdentifier(EfSod.IdSigningTime);
                writer.PushSetOf();
                writer.WriteUtcTime(time.ToUniversalTime());
                writer.PopSetOf();
                writer.PopSequence();
            }
            writer.PopSetOf();
        });
        (AlgorithmIdentifier signatureAlgorithm, byte[] signature) = signingKey switch
        {
            ECDsa ecdsa => (new AlgorithmIdentifier(EcdsaOid(hash), null), ecdsa.SignData(attributes, hash, DSASignatureFormat.Rfc3279DerSequence)),
            RSA rsa => (new AlgorithmIdentifier(SubjectPublicKey.IdRsaEncryption, [0x05, 0x00]), rsa.SignData(attributes, hash, RSASignaturePadding.Pkcs1)),
            _ => throw new UnsupportedProtocolException("[SodWriter] only ECDSA and RSA signing keys"),
        };
        byte[] implicitAttributes = attributes.ToArray();
        implicitAttributes[0] = 0xA0;
        byte[] contentInfo = Asn.Der(writer =>
        {
            writer.PushSequence();
            writer.WriteObjectIdentifier(EfSod.IdSignedData);
            writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            writer.PushSequence();
            writer.WriteInteger(3);
            writer.PushSetOf();
            digest.Write(writer);
            writer.PopSetOf();
            writer.PushSequence();
            writer.WriteObjectIdentifier(EfSod.IdLdsSecurityObject);
            writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            writer.WriteOctetString(securityObject);
            writer.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            writer.PopSequence();
            writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            writer.WriteEncodedValue(documentSignerCertificate);
            writer.PopSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            writer.PushSetOf();
            writer.PushSequence();
            writer.WriteInteger(1);
            writer.PushSequence();
            writer.WriteEncodedValue(signer.Issuer);
            writer.WriteInteger(signer.SerialNumber);
            writer.PopSequence();
            digest.Write(writer);
            writer.WriteEncodedValue(implicitAttributes);
            signatureAlgorithm.Write(writer);
            writer.WriteOctetString(signature);
            writer.PopSequence();
            writer.PopSetOf();
            writer.PopSequence();
            writer.PopSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            writer.PopSequence();
        });
        return Iso7816.BerTlv.Encode(DataGroups.EfSodTag, contentInfo);
    }

    private static string EcdsaOid(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA1 ? "1.2.840.10045.4.1"
        : hash == HashAlgorithmName.SHA256 ? "1.2.840.10045.4.3.2"
        : hash == HashAlgorithmName.SHA384 ? "1.2.840.10045.4.3.3"
        : "1.2.840.10045.4.3.4";
}
