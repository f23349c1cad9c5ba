using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using Kiosk.Emrtd.Iso7816;

namespace Kiosk.Emrtd.Lds;

/// <summary>
/// Runs an ASN.1 or crypto parsing step and turns every exception of the framework's decoders into a
/// <see cref="MalformedDataException"/> naming the step, so a broken file can only raise a typed error.
/// </summary>
internal static class Asn
{
    public static T Parse<T>(string step, Func<T> parse)
    {
        try { return parse(); }
        catch (EmrtdException) { throw; }
        catch (Exception exception) when (exception is AsnContentException or CryptographicException or FormatException
                                               or OverflowException or ArgumentException or DecoderFallbackException
                                               or InvalidOperationException)
        {
            throw new MalformedDataException($"[{step}] {exception.GetType().Name}: not the expected structure");
        }
    }

    /// <summary>The value of the one outer LDS TLV (e.g. 61 for DG1); the whole input must be that object.</summary>
    public static byte[] Unwrap(ReadOnlySpan<byte> file, int tag, string step)
    {
        Tlv outer = BerTlv.ParseSingle(file);
        if (outer.Tag != tag) throw new MalformedDataException($"[{step}] outer tag {outer.Tag:X} is not {tag:X}");
        return outer.Value;
    }

    public static int ReadSmallInteger(AsnReader reader, string step, int max = 0xFFFF)
    {
        if (!reader.TryReadInt32(out int value) || value < 0 || value > max)
            throw new MalformedDataException($"[{step}] integer out of range");
        return value;
    }

    public static bool NextIs(AsnReader reader, Asn1Tag tag) => reader.HasData && reader.PeekTag().HasSameClassAndValue(tag);

    public static byte[] Der(Action<AsnWriter> write)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        write(writer);
        return writer.Encode();
    }
}

/// <summary>AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (parameters kept as DER).</summary>
public sealed record AlgorithmIdentifier(string Oid, byte[]? Parameters)
{
    internal static AlgorithmIdentifier Read(AsnReader reader)
    {
        AsnReader sequence = reader.ReadSequence();
        string oid = sequence.ReadObjectIdentifier();
        byte[]? parameters = sequence.HasData ? sequence.ReadEncodedValue().ToArray() : null;
        return new AlgorithmIdentifier(oid, parameters);
    }

    internal void Write(AsnWriter writer)
    {
        writer.PushSequence();
        writer.WriteObjectIdentifier(Oid);
        if (Parameters is not null) writer.WriteEncodedValue(Parameters);
        writer.PopSequence();
    }

    /// <summary>True when the parameters are absent or an explicit NULL.</summary>
    public bool HasNoParameters => Parameters is null || Parameters.AsSpan().SequenceEqual(new byte[] { 0x05, 0x00 });
}

/// <summary>Hash algorithm OIDs of the LDS and CMS (emrtd.md §2.2).</summary>
public static class HashAlgorithms
{
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha224 = "2.16.840.1.101.3.4.2.4";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    /// <summary>The .NET name for a hash OID, or null (SHA-224 has no .NET implementation).</summary>
    public static HashAlgorithmName? FromOid(string oid) => oid switch
    {
        Sha1 => HashAlgorithmName.SHA1,
        Sha256 => HashAlgorithmName.SHA256,
        Sha384 => HashAlgorithmName.SHA384,
        Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    public static string ToOid(HashAlgorithmName name) =>
        name == HashAlgorithmName.SHA1 ? Sha1
        : name == HashAlgorithmName.SHA256 ? Sha256
        : name == HashAlgorithmName.SHA384 ? Sha384
        : name == HashAlgorithmName.SHA512 ? Sha512
        : throw new UnsupportedProtocolException($"[HashAlgorithms] no OID for {name.Name}");

    public static byte[] Hash(HashAlgorithmName name, ReadOnlySpan<byte> data) =>
        name == HashAlgorithmName.SHA1 ? SHA1.HashData(data)
        : name == HashAlgorithmName.SHA256 ? SHA256.HashData(data)
        : name == HashAlgorithmName.SHA384 ? SHA384.HashData(data)
        : name == HashAlgorithmName.SHA512 ? SHA512.HashData(data)
        : throw new UnsupportedProtocolException($"[HashAlgorithms] {name.Name} is not supported");
}
