using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Kiosk.Emrtd.Lds;

namespace Kiosk.Emrtd.PassiveAuthentication;

/// <summary>
/// The fields of an X.509 certificate that passive authentication needs, parsed from DER by hand so that keys with
/// explicit EC parameters (which X509 loaders may refuse) still work: names, serial, validity, public key, signature.
/// </summary>
public sealed class Certificate
{
    private Certificate(byte[] encoded, byte[] tbs, AlgorithmIdentifier signatureAlgorithm, byte[] signature, byte[] serialNumber,
        byte[] issuer, byte[] subject, DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] subjectPublicKeyInfo, byte[]? subjectKeyIdentifier)
    {
        Encoded = encoded;
        TbsCertificate = tbs;
        SignatureAlgorithm = signatureAlgorithm;
        Signature = signature;
        SerialNumber = serialNumber;
        Issuer = issuer;
        Subject = subject;
        NotBefore = notBefore;
        NotAfter = notAfter;
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
        SubjectKeyIdentifier = subjectKeyIdentifier;
    }

    public byte[] Encoded { get; }
    public byte[] TbsCertificate { get; }
    public AlgorithmIdentifier SignatureAlgorithm { get; }
    public byte[] Signature { get; }
    /// <summary>The INTEGER content bytes, as in a CMS IssuerAndSerialNumber.</summary>
    public byte[] SerialNumber { get; }
    /// <summary>DER Name.</summary>
    public byte[] Issuer { get; }
    /// <summary>DER Name.</summary>
    public byte[] Subject { get; }
    public DateTimeOffset NotBefore { get; }
    public DateTimeOffset NotAfter { get; }
    public byte[] SubjectPublicKeyInfo { get; }
    public byte[]? SubjectKeyIdentifier { get; }

    public string SubjectName => NameText(Subject);
    public string IssuerName => NameText(Issuer);
    public bool IsSelfIssued => SameName(Issuer, Subject);

    public SubjectPublicKey PublicKey() => SubjectPublicKey.Parse(SubjectPublicKeyInfo);

    public bool IsValidAt(DateTimeOffset time) => NotBefore <= time && time <= NotAfter;

    public override string ToString() => $"Certificate {{ {SubjectName} }}";

    public static Certificate Parse(ReadOnlySpan<byte> der)
    {
        byte[] encoded = der.ToArray();
        return Asn.Parse("Certificate", () =>
        {
            var reader = new AsnReader(encoded, AsnEncodingRules.DER);
            AsnReader certificate = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            byte[] tbsBytes = certificate.ReadEncodedValue().ToArray();
            AlgorithmIdentifier algorithm = AlgorithmIdentifier.Read(certificate);
            byte[] signature = certificate.ReadBitString(out _);
            certificate.ThrowIfNotEmpty();

            AsnReader tbs = new AsnReader(tbsBytes, AsnEncodingRules.DER).ReadSequence();
            if (Asn.NextIs(tbs, new Asn1Tag(TagClass.ContextSpecific, 0, true))) tbs.ReadEncodedValue();
            byte[] serial = tbs.ReadIntegerBytes().ToArray();
            AlgorithmIdentifier.Read(tbs);
            byte[] issuer = tbs.ReadEncodedValue().ToArray();
            AsnReader validity = tbs.ReadSequence();
            DateTimeOffset notBefore = ReadTime(validity), notAfter = ReadTime(validity);
            byte[] subject = tbs.ReadEncodedValue().ToArray();
            byte[] spki = tbs.ReadEncodedValue().ToArray();
            byte[]? keyId = null;
            while (tbs.HasData)
            {
                Asn1Tag tag = tbs.PeekTag();
                if (!tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3))) { tbs.ReadEncodedValue(); continue; }
                AsnReader extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true)).ReadSequence();
                while (extensions.HasData)
                {
                    AsnReader extension = extensions.ReadSequence();
                    string oid = extension.ReadObjectIdentifier();
                    if (Asn.NextIs(extension, Asn1Tag.Boolean)) extension.ReadBoolean();
                    byte[] value = extension.ReadOctetString();
                    if (oid == "2.5.29.14") keyId = new AsnReader(value, AsnEncodingRules.DER).ReadOctetString();
                }
            }
            return new Certificate(encoded, tbsBytes, algorithm, signature, serial, issuer, subject, notBefore, notAfter, spki, keyId);
        });
    }

    /// <summary>Byte-equal DER names, or names equal once decoded (a re-encoded string type must not break the chain).</summary>
    public static bool SameName(byte[] first, byte[] second)
    {
        if (first.AsSpan().SequenceEqual(second)) return true;
        string a = NameText(first), b = NameText(second);
        return a.Length > 0 && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }

    public static string NameText(byte[] name)
    {
        try { return new X500DistinguishedName(name).Name; }
        catch (System.Security.Cryptography.CryptographicException) { return ""; }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
