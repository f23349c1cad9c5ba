using System.Formats.Asn1;
using System.Numerics;
using Kiosk.Emrtd.Pace;

namespace Kiosk.Emrtd.CardAccess;

/// <summary>PACEInfo ::= SEQUENCE { protocol OID, version INTEGER, parameterId INTEGER OPTIONAL } (Part 11 §9.2.1).</summary>
public sealed record PaceInfo(string Oid, int Version, int? ParameterId)
{
    /// <summary>The cipher, mapping and key agreement the OID names (null only for a hand-made record with another OID).</summary>
    public PaceAlgorithm? Algorithm => PaceAlgorithm.FromOid(Oid);
}

/// <summary>ChipAuthenticationInfo ::= SEQUENCE { protocol OID (id-CA-*), version INTEGER, keyId INTEGER OPTIONAL }.</summary>
public sealed record ChipAuthenticationInfo(string Oid, int Version, int? KeyId);

/// <summary>TerminalAuthenticationInfo ::= SEQUENCE { id-TA, version INTEGER, efCVCA OPTIONAL }.</summary>
public sealed record TerminalAuthenticationInfo(string Oid, int Version);

/// <summary>
/// The SecurityInfos of EF.CardAccess (and later DG14): SET OF SEQUENCE { protocol OID, requiredData, optionalData }.
/// Infos with protocols this reader does not know are kept by OID only, so new chips do not break reading.
/// </summary>
public sealed record SecurityInfos(
    IReadOnlyList<PaceInfo> PaceInfos,
    IReadOnlyList<ChipAuthenticationInfo> ChipAuthenticationInfos,
    IReadOnlyList<TerminalAuthenticationInfo> TerminalAuthenticationInfos,
    IReadOnlyList<string> OtherProtocols)
{
    public const string IdTerminalAuthentication = "0.4.0.127.0.7.2.2.2";
    public const string IdChipAuthentication = "0.4.0.127.0.7.2.2.3";
    private const int MaxInfos = 64;

    /// <summary>The first PACEInfo this library can run (ECDH generic mapping on a supported curve), or null.</summary>
    public PaceInfo? PreferredPace => PaceInfos.FirstOrDefault(info =>
        info.Algorithm is { IsImplemented: true } && info.ParameterId is int id && StandardDomainParameters.SupportedIds.Contains(id));

    public static SecurityInfos Parse(ReadOnlySpan<byte> encoded)
    {
        var pace = new List<PaceInfo>();
        var chip = new List<ChipAuthenticationInfo>();
        var terminal = new List<TerminalAuthenticationInfo>();
        var others = new List<string>();
        try
        {
            // BER, not DER: chips are not always canonical, and the parser must still bound what it accepts.
            var reader = new AsnReader(encoded.ToArray(), AsnEncodingRules.BER);
            AsnReader set = reader.ReadSetOf(skipSortOrderValidation: true);
            reader.ThrowIfNotEmpty();
            while (set.HasData)
            {
                if (pace.Count + chip.Count + terminal.Count + others.Count >= MaxInfos)
                    throw new MalformedDataException($"[SecurityInfos] more than {MaxInfos} infos");
                AsnReader info = set.ReadSequence();
                string oid = info.ReadObjectIdentifier();
                if (PaceAlgorithm.FromOid(oid) is not null)
                {
                    int version = ReadSmallInteger(info, oid);
                    int? parameterId = info.HasData && info.PeekTag().HasSameClassAndValue(Asn1Tag.Integer) ? ReadSmallInteger(info, oid) : null;
                    pace.Add(new PaceInfo(oid, version, parameterId));
                }
                else if (oid.StartsWith(IdChipAuthentication + ".", StringComparison.Ordinal) && info.HasData
                         && info.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
                {
                    int version = ReadSmallInteger(info, oid);
                    int? keyId = info.HasData && info.PeekTag().HasSameClassAndValue(Asn1Tag.Integer) ? ReadSmallInteger(info, oid) : null;
                    chip.Add(new ChipAuthenticationInfo(oid, version, keyId));
                }
                else if (oid == IdTerminalAuthentication)
                {
                    terminal.Add(new TerminalAuthenticationInfo(oid, ReadSmallInteger(info, oid)));
                }
                else
                {
                    others.Add(oid);
                }
                // Whatever follows (optional data we do not use) is skipped on purpose: the SEQUENCE reader is dropped.
            }
        }
        catch (AsnContentException exception)
        {
            throw new MalformedDataException($"[SecurityInfos] not a valid SET OF SecurityInfo: {exception.Message}");
        }
        return new SecurityInfos(pace, chip, terminal, others);
    }

    private static int ReadSmallInteger(AsnReader reader, string oid)
    {
        BigInteger value = reader.ReadInteger();
        if (value < 0 || value > 0xFFFF) throw new MalformedDataException($"[SecurityInfos] integer out of range in {oid}");
        return (int)value;
    }
}
