using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Kiosk.Emrtd.Lds;

/// <summary>
/// LDSSecurityObject ::= SEQUENCE { version INTEGER, hashAlgorithm AlgorithmIdentifier, dataGroupHashValues SEQUENCE OF
/// DataGroupHash { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING }, ldsVersionInfo OPTIONAL } (emrtd.md §2.2).
/// </summary>
public sealed record LdsSecurityObject(
    int Version,
    AlgorithmIdentifier HashAlgorithm,
    IReadOnlyDictionary<int, byte[]> DataGroupHashes,
    string? LdsVersion,
    string? UnicodeVersion)
{
    private const int MaxDataGroups = 16;

    /// <summary>The .NET hash of <see cref="HashAlgorithm"/>, or null when it is one .NET lacks (SHA-224).</summary>
    public HashAlgorithmName? HashAlgorithmName => HashAlgorithms.FromOid(HashAlgorithm.Oid);

    public static LdsSecurityObject Parse(ReadOnlyMemory<byte> encoded) => Asn.Parse("LDSSecurityObject", () =>
    {
        var reader = new AsnReader(encoded, AsnEncodingRules.BER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        int version = Asn.ReadSmallInteger(sequence, "LDSSecurityObject", 8);
        AlgorithmIdentifier hash = AlgorithmIdentifier.Read(sequence);
        AsnReader hashes = sequence.ReadSequence();
        var values = new Dictionary<int, byte[]>();
        while (hashes.HasData)
        {
            AsnReader item = hashes.ReadSequence();
            int number = Asn.ReadSmallInteger(item, "LDSSecurityObject", 16);
            if (number < 1) throw new MalformedDataException("[LDSSecurityObject] data-group number 0");
            byte[] value = item.ReadOctetString();
            if (values.Count >= MaxDataGroups || !values.TryAdd(number, value))
                throw new MalformedDataException($"[LDSSecurityObject] data group {number} listed twice or too many groups");
        }
        string? lds = null, unicode = null;
        if (Asn.NextIs(sequence, Asn1Tag.Sequence))
        {
            AsnReader info = sequence.ReadSequence();
            lds = info.ReadCharacterString(UniversalTagNumber.PrintableString);
            unicode = info.ReadCharacterString(UniversalTagNumber.PrintableString);
        }
        return new LdsSecurityObject(version, hash, values, lds, unicode);
    });

    /// <summary>DER encoding (version 0 unless LDS version info is present), as the issuer writes it.</summary>
    public byte[] Encode() => Asn.Der(writer =>
    {
        writer.PushSequence();
        writer.WriteInteger(Version);
        HashAlgorithm.Write(writer);
        writer.PushSequence();
        foreach ((int number, byte[] value) in DataGroupHashes.OrderBy(pair => pair.Key))
        {
            writer.PushSequence();
            writer.WriteInteger(number);
            writer.WriteOctetString(value);
            writer.PopSequence();
        }
        writer.PopSequence();
        if (LdsVersion is not null)
        {
            writer.PushSequence();
            writer.WriteCharacterString(UniversalTagNumber.PrintableString, LdsVersion);
            writer.WriteCharacterString(UniversalTagNumber.PrintableString, UnicodeVersion ?? "");
            writer.PopSequence();
        }
        writer.PopSequence();
    });
}

/// <summary>One CMS SignerInfo, with the exact bytes its signature covers.</summary>
public sealed record SodSignerInfo(
    int Version,
    byte[]? IssuerName,
    byte[]? SerialNumber,
    byte[]? SubjectKeyIdentifier,
    AlgorithmIdentifier DigestAlgorithm,
    byte[]? SignedAttributes,
    byte[]? MessageDigest,
    string? ContentType,
    AlgorithmIdentifier SignatureAlgorithm,
    byte[] Signature);

/// <summary>
/// EF.SOD: 77 { ContentInfo { id-signedData, SignedData { version, digestAlgorithms, encapContentInfo { eContentType,
/// eContent = LDSSecurityObject }, certificates [0] (the document signer), crls [1], signerInfos } } } (RFC 5652).
/// </summary>
public sealed record EfSod(
    string EContentType,
    byte[] EContent,
    LdsSecurityObject SecurityObject,
    IReadOnlyList<byte[]> Certificates,
    IReadOnlyList<SodSignerInfo> SignerInfos)
{
    public const string IdSignedData = "1.2.840.113549.1.7.2";
    public const string IdLdsSecurityObject = "2.23.136.1.1.1";
    public const string IdMessageDigest = "1.2.840.113549.1.9.4";
    public const string IdContentType = "1.2.840.113549.1.9.3";
    public const string IdSigningTime = "1.2.840.113549.1.9.5";
    private const int MaxItems = 16;

    /// <summary>eContent types readers accept (gmrtd's list, emrtd.md §2.2).</summary>
    public static readonly IReadOnlySet<string> AcceptedContentTypes = new HashSet<string>
    {
        IdLdsSecurityObject, "1.3.27.1.1.1", "1.2.528.1.1006.1.20.1", "1.2.840.113549.1.7.1",
    };

    /// <summary>Parses the file as read from the chip (outer tag 77 included).</summary>
    public static EfSod Parse(ReadOnlySpan<byte> file) => ParseSignedData(Asn.Unwrap(file, DataGroups.EfSodTag, "EF.SOD"));

    /// <summary>Parses a CMS ContentInfo holding SignedData (the content of EF.SOD, or an ICAO master list).</summary>
    public static EfSod ParseSignedData(byte[] contentInfo)
    {
        (string type, byte[] content, List<byte[]> certificates, List<SodSignerInfo> signers) = ReadSignedData(contentInfo, "EF.SOD");
        if (!AcceptedContentTypes.Contains(type)) throw new MalformedDataException($"[EF.SOD] eContentType {type} is not an LDS security object");
        return new EfSod(type, content, LdsSecurityObject.Parse(content), certificates, signers);
    }

    internal static (string Type, byte[] Content, List<byte[]> Certificates, List<SodSignerInfo> Signers) ReadSignedData(byte[] contentInfo, string step) =>
        Asn.Parse(step, () =>
        {
            var reader = new AsnReader(contentInfo, AsnEncodingRules.BER);
            AsnReader info = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            if (info.ReadObjectIdentifier() != IdSignedData) throw new MalformedDataException($"[{step}] ContentInfo is not SignedData");
            AsnReader explicitContent = info.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            AsnReader signedData = explicitContent.ReadSequence();
            Asn.ReadSmallInteger(signedData, step, 5);
            signedData.ReadSetOf(skipSortOrderValidation: true); // digestAlgorithms: the signer names its own
            AsnReader encapsulated = signedData.ReadSequence();
            string type = encapsulated.ReadObjectIdentifier();
            if (!encapsulated.HasData) throw new MalformedDataException($"[{step}] detached content");
            AsnReader eContent = encapsulated.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            byte[] content = eContent.ReadOctetString();
            var certificates = new List<byte[]>();
            if (Asn.NextIs(signedData, new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            {
                AsnReader set = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: new Asn1Tag(TagClass.ContextSpecific, 0));
                while (set.HasData)
                {
                    bool isCertificate = set.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence);
                    byte[] encoded = set.ReadEncodedValue().ToArray();
                    if (isCertificate && certificates.Count < MaxItems) certificates.Add(encoded);
                }
            }
            if (Asn.NextIs(signedData, new Asn1Tag(TagClass.ContextSpecific, 1, true))) signedData.ReadEncodedValue();
            AsnReader signerSet = signedData.ReadSetOf(skipSortOrderValidation: true);
            var signers = new List<SodSignerInfo>();
            while (signerSet.HasData)
            {
                if (signers.Count >= MaxItems) throw new MalformedDataException($"[{step}] too many signers");
                signers.Add(ReadSignerInfo(signerSet.ReadSequence(), step));
            }
            if (signers.Count == 0) throw new MalformedDataException($"[{step}] no SignerInfo");
            return (type, content, certificates, signers);
        });

    private static SodSignerInfo ReadSignerInfo(AsnReader signer, string step)
    {
        int version = Asn.ReadSmallInteger(signer, step, 5);
        byte[]? issuer = null, serial = null, keyId = null;
        if (Asn.NextIs(signer, Asn1Tag.Sequence))
        {
            AsnReader sid = signer.ReadSequence();
            issuer = sid.ReadEncodedValue().ToArray();
            serial = sid.ReadIntegerBytes().ToArray();
        }
        else
        {
            keyId = signer.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
        }
        AlgorithmIdentifier digest = AlgorithmIdentifier.Read(signer);
        byte[]? signedAttributes = null, messageDigest = null;
        string? contentType = null;
        if (Asn.NextIs(signer, new Asn1Tag(TagClass.ContextSpecific, 0, true)))
        {
            signedAttributes = signer.ReadEncodedValue().ToArray();
            signedAttributes[0] = 0x31; // the signature covers the attributes as a universal SET (RFC 5652 §5.4)
            AsnReader attributes = new AsnReader(signedAttributes, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true);
            int count = 0;
            while (attributes.HasData)
            {
                if (++count > 32) throw new MalformedDataException($"[{step}] too many signed attributes");
                AsnReader attribute = attributes.ReadSequence();
                string oid = attribute.ReadObjectIdentifier();
                AsnReader values = attribute.ReadSetOf(skipSortOrderValidation: true);
                if (oid == IdMessageDigest && messageDigest is null) messageDigest = values.ReadOctetString();
                else if (oid == IdContentType && contentType is null) contentType = values.ReadObjectIdentifier();
            }
        }
        AlgorithmIdentifier signatureAlgorithm = AlgorithmIdentifier.Read(signer);
        byte[] signature = signer.ReadOctetString();
        return new SodSignerInfo(version, issuer, serial, keyId, digest, signedAttributes, messageDigest, contentType, signatureAlgorithm, signature);
    }
}
