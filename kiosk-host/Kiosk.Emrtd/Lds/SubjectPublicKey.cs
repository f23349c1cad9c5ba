using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using Kiosk.Emrtd.Pace;

namespace Kiosk.Emrtd.Lds;

public enum PublicKeyKind { Rsa, EllipticCurve, DiffieHellman }

/// <summary>Finite-field Diffie-Hellman domain parameters: prime p, generator g, and the subgroup order q when given.</summary>
public sealed record DhParameters(BigInteger P, BigInteger G, BigInteger? Q)
{
    public int Length => (int)((P.GetBitLength() + 7) / 8);
}

/// <summary>
/// SubjectPublicKeyInfo (RFC 5280) as parsed here rather than by X509 loaders, because document-signing PKIs use EC keys
/// with explicit domain parameters (the Vietnamese CSCA does, emrtd.md §3.4) that some loaders refuse. EC keys give
/// both a .NET <see cref="ECDsa"/> (explicit prime curve when not named) and an <see cref="EllipticCurve"/> for ECDH.
/// </summary>
public sealed class SubjectPublicKey
{
    public const string IdRsaEncryption = "1.2.840.113549.1.1.1";
    public const string IdRsaPss = "1.2.840.113549.1.1.10";
    public const string IdEcPublicKey = "1.2.840.10045.2.1";
    public const string IdDhPublicNumber = "1.2.840.10046.2.1";
    public const string IdDhKeyAgreement = "1.2.840.113549.1.3.1";
    /// <summary>BSI TR-03110 id-PK-DH and id-PK-ECDH, used as the algorithm of DG14 chip-authentication keys.</summary>
    public const string IdPkDh = "0.4.0.127.0.7.2.2.1.1";
    public const string IdPkEcdh = "0.4.0.127.0.7.2.2.1.2";
    private const string IdPrimeField = "1.2.840.10045.1.1";

    private static readonly Dictionary<string, int> NamedCurves = new()
    {
        ["1.2.840.10045.3.1.7"] = StandardDomainParameters.NistP256,
        ["1.3.132.0.34"] = StandardDomainParameters.NistP384,
        ["1.3.132.0.35"] = StandardDomainParameters.NistP521,
        ["1.3.36.3.3.2.8.1.1.7"] = StandardDomainParameters.BrainpoolP256r1,
        ["1.3.36.3.3.2.8.1.1.11"] = StandardDomainParameters.BrainpoolP384r1,
        ["1.3.36.3.3.2.8.1.1.13"] = StandardDomainParameters.BrainpoolP512r1,
    };

    private SubjectPublicKey(byte[] encoded, AlgorithmIdentifier algorithm, PublicKeyKind kind, byte[] keyBits)
    {
        Encoded = encoded;
        Algorithm = algorithm;
        Kind = kind;
        KeyBits = keyBits;
    }

    /// <summary>The DER SubjectPublicKeyInfo as given.</summary>
    public byte[] Encoded { get; }
    public AlgorithmIdentifier Algorithm { get; }
    public PublicKeyKind Kind { get; }
    /// <summary>The content of the subjectPublicKey BIT STRING (RSAPublicKey, EC point, or DH INTEGER y).</summary>
    public byte[] KeyBits { get; }
    /// <summary>For EC keys: the curve (named or built from explicit parameters) and the public point.</summary>
    public EllipticCurve? Curve { get; private init; }
    public EcPoint? Point { get; private init; }
    /// <summary>The named-curve OID when the key names its curve; null for explicit parameters.</summary>
    public string? CurveOid { get; private init; }
    /// <summary>The named curve the parameters equal (given by name or written out explicitly), or null for another curve.</summary>
    public string? EquivalentCurveOid { get; private init; }
    /// <summary>True when the platform's ECDsa can load this key (a known curve); otherwise use <c>ManagedEcdsa</c>.</summary>
    public bool IsPlatformCurve => EquivalentCurveOid is not null;
    public DhParameters? Dh { get; private init; }
    public BigInteger? DhPublicValue { get; private init; }

    public static SubjectPublicKey Parse(ReadOnlySpan<byte> spki)
    {
        byte[] encoded = spki.ToArray();
        return Asn.Parse("SubjectPublicKeyInfo", () =>
        {
            var reader = new AsnReader(encoded, AsnEncodingRules.BER);
            AsnReader sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            AlgorithmIdentifier algorithm = AlgorithmIdentifier.Read(sequence);
            byte[] bits = sequence.ReadBitString(out int unused);
            if (unused != 0) throw new MalformedDataException("[SubjectPublicKeyInfo] key is not a whole number of bytes");
            switch (algorithm.Oid)
            {
                case IdRsaEncryption or IdRsaPss:
                    using (RSA rsa = RSA.Create()) rsa.ImportRSAPublicKey(bits, out _); // validates the structure
                    return new SubjectPublicKey(encoded, algorithm, PublicKeyKind.Rsa, bits);
                case IdEcPublicKey or IdPkEcdh:
                {
                    (EllipticCurve curve, string? oid, string? equivalent) = ReadCurve(algorithm.Parameters);
                    EcPoint point = curve.Decode(bits);
                    return new SubjectPublicKey(encoded, algorithm, PublicKeyKind.EllipticCurve, bits)
                        { Curve = curve, Point = point, CurveOid = oid, EquivalentCurveOid = equivalent };
                }
                case IdDhPublicNumber or IdDhKeyAgreement or IdPkDh:
                {
                    DhParameters dh = ReadDh(algorithm);
                    BigInteger y = new AsnReader(bits, AsnEncodingRules.BER).ReadInteger();
                    if (y <= 1 || y >= dh.P - 1) throw new InvalidPointException("[SubjectPublicKeyInfo] DH public value out of range");
                    return new SubjectPublicKey(encoded, algorithm, PublicKeyKind.DiffieHellman, bits) { Dh = dh, DhPublicValue = y };
                }
                default:
                    throw new UnsupportedProtocolException($"[SubjectPublicKeyInfo] key algorithm {algorithm.Oid}");
            }
        });
    }

    /// <summary>An RSA key for verification (caller disposes).</summary>
    public RSA CreateRsa()
    {
        if (Kind != PublicKeyKind.Rsa) throw new UnsupportedProtocolException("[SubjectPublicKey] not an RSA key");
        RSA rsa = RSA.Create();
        rsa.ImportRSAPublicKey(KeyBits, out _);
        return rsa;
    }

    /// <summary>
    /// An ECDSA key for verification (caller disposes). Explicit parameters equal to a known curve load as that curve;
    /// other explicit curves as explicit prime parameters, which some platforms refuse (then
    /// <see cref="UnsupportedProtocolException"/>: verify with <c>ManagedEcdsa</c> instead).
    /// </summary>
    public ECDsa CreateEcdsa()
    {
        if (Curve is not EllipticCurve curve || Point is not EcPoint point) throw new UnsupportedProtocolException("[SubjectPublicKey] not an EC key");
        int length = curve.FieldLength;
        ECCurve dotnetCurve = EquivalentCurveOid is not null
            ? ECCurve.CreateFromValue(EquivalentCurveOid)
            : new ECCurve
            {
                CurveType = ECCurve.ECCurveType.PrimeShortWeierstrass,
                Prime = curve.Coordinate(curve.P),
                A = curve.Coordinate(curve.A),
                B = curve.Coordinate(curve.B),
                G = new ECPoint { X = curve.Coordinate(curve.G.X), Y = curve.Coordinate(curve.G.Y) },
                Order = EllipticCurve.ToFixedLength(curve.N, Math.Max(length, curve.OrderLength)),
                Cofactor = curve.H.ToByteArray(isUnsigned: true, isBigEndian: true),
            };
        try
        {
            return ECDsa.Create(new ECParameters { Curve = dotnetCurve, Q = new ECPoint { X = curve.Coordinate(point.X), Y = curve.Coordinate(point.Y) } });
        }
        catch (Exception exception) when (exception is CryptographicException or PlatformNotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new UnsupportedProtocolException($"[SubjectPublicKey] the platform cannot load this EC key ({curve.Name})");
        }
    }

    private static (EllipticCurve Curve, string? Oid, string? Equivalent) ReadCurve(byte[]? parameters)
    {
        if (parameters is null) throw new MalformedDataException("[SubjectPublicKeyInfo] EC key without domain parameters");
        var reader = new AsnReader(parameters, AsnEncodingRules.BER);
        if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            string oid = reader.ReadObjectIdentifier();
            return NamedCurves.TryGetValue(oid, out int id)
                ? (StandardDomainParameters.ById(id), oid, oid)
                : throw new UnsupportedProtocolException($"[SubjectPublicKeyInfo] named curve {oid}");
        }
        AsnReader specified = reader.ReadSequence();
        Asn.ReadSmallInteger(specified, "ECParameters", 3);
        AsnReader field = specified.ReadSequence();
        if (field.ReadObjectIdentifier() != IdPrimeField) throw new UnsupportedProtocolException("[ECParameters] only prime fields");
        BigInteger p = field.ReadInteger();
        AsnReader curveReader = specified.ReadSequence();
        BigInteger a = EllipticCurve.ToInteger(curveReader.ReadOctetString());
        BigInteger b = EllipticCurve.ToInteger(curveReader.ReadOctetString());
        byte[] basePoint = specified.ReadOctetString();
        BigInteger n = specified.ReadInteger();
        BigInteger h = specified.HasData ? specified.ReadInteger() : BigInteger.One;
        if (p.Sign <= 0 || p.GetBitLength() is < 160 or > 1024 || n.Sign <= 0 || h.Sign <= 0 || a < 0 || b < 0 || a >= p || b >= p)
            throw new MalformedDataException("[ECParameters] domain parameters out of range");
        // Hasse: a curve over F_p has at most p + 1 + 2√p points, so neither the order nor the cofactor can be longer
        // than p by more than a bit. A longer order is not a curve, and ECDSA's arithmetic modulo n would cost time
        // growing with its cube (an order of 8000 bits took 8 s for one signature check).
        if (n.GetBitLength() > p.GetBitLength() + 1 || h.GetBitLength() > p.GetBitLength() + 1)
            throw new MalformedDataException("[ECParameters] order or cofactor longer than the field allows");
        var shell = new EllipticCurve("explicit", p, a, b, EcPoint.Infinity, n, h);
        EcPoint g = shell.Decode(basePoint);
        var curve = shell.WithGenerator(g);
        // An explicit curve equal to a named one is treated as that curve, so .NET uses its optimised implementation.
        foreach ((string oid, int id) in NamedCurves)
        {
            EllipticCurve named = StandardDomainParameters.ById(id);
            if (named.P == p && named.A == a && named.B == b && named.G == g && named.N == n)
                return (named, null, oid);
        }
        return (curve, null, null);
    }

    private static DhParameters ReadDh(AlgorithmIdentifier algorithm)
    {
        if (algorithm.Parameters is null) throw new MalformedDataException("[SubjectPublicKeyInfo] DH key without domain parameters");
        AsnReader parameters = new AsnReader(algorithm.Parameters, AsnEncodingRules.BER).ReadSequence();
        BigInteger p = parameters.ReadInteger();
        BigInteger g = parameters.ReadInteger();
        BigInteger? q = null;
        // X9.42 DomainParameters (dhpublicnumber) are { p, g, q, … }; PKCS #3 are { p, g, privateValueLength? }.
        if (algorithm.Oid != IdDhKeyAgreement && Asn.NextIs(parameters, Asn1Tag.Integer)) q = parameters.ReadInteger();
        if (p.GetBitLength() is < 512 or > 4096 || g <= 1 || g >= p || q is { Sign: <= 0 })
            throw new MalformedDataException("[DH parameters] out of range");
        return new DhParameters(p, g, q);
    }
}
