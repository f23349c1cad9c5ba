using System.Formats.Asn1;
using Kiosk.Emrtd.CardAccess;

namespace Kiosk.Emrtd.Lds;

/// <summary>ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol id-PK-DH | id-PK-ECDH, SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }.</summary>
public sealed record ChipAuthenticationPublicKeyInfo(string Protocol, SubjectPublicKey PublicKey, int? KeyId);

/// <summary>ActiveAuthenticationInfo ::= SEQUENCE { id-AA, version INTEGER, signatureAlgorithm OID } (the ECDSA hash for AA).</summary>
public sealed record ActiveAuthenticationInfo(int Version, string SignatureAlgorithm);

/// <summary>DG14: 6E { SecurityInfos } with the chip-authentication infos and public keys (emrtd.md §2.4).</summary>
public sealed record Dg14(
    IReadOnlyList<ChipAuthenticationInfo> ChipAuthenticationInfos,
    IReadOnlyList<ChipAuthenticationPublicKeyInfo> ChipAuthenticationPublicKeys,
    ActiveAuthenticationInfo? ActiveAuthentication,
    IReadOnlyList<string> OtherProtocols)
{
    public const string IdCaDh = "0.4.0.127.0.7.2.2.3.1";
    public const string IdCaEcdh = "0.4.0.127.0.7.2.2.3.2";
    public const string IdActiveAuthentication = "2.23.136.1.1.5";
    private const int MaxInfos = 32;

    public static Dg14 Parse(ReadOnlySpan<byte> file)
    {
        byte[] content = Asn.Unwrap(file, DataGroups.Tag(14), "DG14");
        return Asn.Parse("DG14", () =>
        {
            var infos = new List<ChipAuthenticationInfo>();
            var keys = new List<ChipAuthenticationPublicKeyInfo>();
            var others = new List<string>();
            ActiveAuthenticationInfo? active = null;
            var reader = new AsnReader(content, AsnEncodingRules.BER);
            AsnReader set = reader.ReadSetOf(skipSortOrderValidation: true);
            reader.ThrowIfNotEmpty();
            int count = 0;
            while (set.HasData)
            {
                if (++count > MaxInfos) throw new MalformedDataException($"[DG14] more than {MaxInfos} infos");
                AsnReader info = set.ReadSequence();
                string oid = info.ReadObjectIdentifier();
                if (oid.StartsWith(IdCaDh + ".", StringComparison.Ordinal) || oid.StartsWith(IdCaEcdh + ".", StringComparison.Ordinal))
                {
                    int version = Asn.ReadSmallInteger(info, "DG14");
                    int? keyId = Asn.NextIs(info, Asn1Tag.Integer) ? Asn.ReadSmallInteger(info, "DG14", int.MaxValue) : null;
                    infos.Add(new ChipAuthenticationInfo(oid, version, keyId));
                }
                else if (oid is SubjectPublicKey.IdPkDh or SubjectPublicKey.IdPkEcdh)
                {
                    SubjectPublicKey key = SubjectPublicKey.Parse(info.ReadEncodedValue().Span);
                    int? keyId = Asn.NextIs(info, Asn1Tag.Integer) ? Asn.ReadSmallInteger(info, "DG14", int.MaxValue) : null;
                    keys.Add(new ChipAuthenticationPublicKeyInfo(oid, key, keyId));
                }
                else if (oid == IdActiveAuthentication && active is null)
                {
                    int version = Asn.ReadSmallInteger(info, "DG14");
                    active = new ActiveAuthenticationInfo(version, info.ReadObjectIdentifier());
                }
                else
                {
                    others.Add(oid);
                }
            }
            return new Dg14(infos, keys, active, others);
        });
    }

    /// <summary>
    /// The key and protocol to run: the public key whose keyId matches an info (or the only key), with the info's
    /// OID; when DG14 has a key but no info, CA v1 with 3DES is implied (TR-03110: id-CA-*-3DES-CBC-CBC).
    /// </summary>
    public (ChipAuthenticationPublicKeyInfo Key, string Protocol)? Preferred()
    {
        foreach (ChipAuthenticationPublicKeyInfo key in ChipAuthenticationPublicKeys)
        {
            bool ec = key.Protocol == SubjectPublicKey.IdPkEcdh;
            ChipAuthenticationInfo? info = ChipAuthenticationInfos.FirstOrDefault(i =>
                i.Oid.StartsWith((ec ? IdCaEcdh : IdCaDh) + ".", StringComparison.Ordinal) && (i.KeyId is null || key.KeyId is null || i.KeyId == key.KeyId));
            if (info is not null) return (key, info.Oid);
            if (ChipAuthenticationInfos.Count == 0) return (key, (ec ? IdCaEcdh : IdCaDh) + ".1");
        }
        return null;
    }
}
