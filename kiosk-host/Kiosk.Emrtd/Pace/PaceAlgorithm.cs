using System.Formats.Asn1;
using Kiosk.Emrtd.Crypto;

namespace Kiosk.Emrtd.Pace;

public enum PaceKeyAgreement { DiffieHellman, EllipticCurveDiffieHellman }

public enum PaceMapping { Generic, Integrated, ChipAuthentication }

/// <summary>
/// A PACE protocol OID (Part 11 §9.2.2 / BSI TR-03110-3 A.1.1): id-PACE = 0.4.0.127.0.7.2.2.4, then the mapping and
/// key agreement (1 DH-GM, 2 ECDH-GM, 3 DH-IM, 4 ECDH-IM, 6 ECDH-CAM), then the cipher (1 3DES, 2/3/4 AES-128/192/256).
/// Only ECDH generic mapping is implemented; the others parse so EF.CardAccess can be described.
/// </summary>
public sealed record PaceAlgorithm(string Oid, PaceKeyAgreement KeyAgreement, PaceMapping Mapping, CipherKind Cipher)
{
    public const string IdPace = "0.4.0.127.0.7.2.2.4";

    public static readonly PaceAlgorithm EcdhGenericMapping3Des = FromOid(IdPace + ".2.1")!;
    public static readonly PaceAlgorithm EcdhGenericMappingAes128 = FromOid(IdPace + ".2.2")!;
    public static readonly PaceAlgorithm EcdhGenericMappingAes192 = FromOid(IdPace + ".2.3")!;
    public static readonly PaceAlgorithm EcdhGenericMappingAes256 = FromOid(IdPace + ".2.4")!;

    public bool IsImplemented => KeyAgreement == PaceKeyAgreement.EllipticCurveDiffieHellman && Mapping == PaceMapping.Generic;

    /// <summary>The OID's DER content octets (without tag 06 and length), as MSE:Set AT tag 80 carries them.</summary>
    public byte[] OidContent() => ObjectIdentifiers.Content(Oid);

    /// <summary>The algorithm an OID names, or null when it is not a PACE protocol OID.</summary>
    public static PaceAlgorithm? FromOid(string oid)
    {
        if (!oid.StartsWith(IdPace + ".", StringComparison.Ordinal)) return null;
        string[] arcs = oid[(IdPace.Length + 1)..].Split('.');
        if (arcs.Length != 2) return null;
        (PaceKeyAgreement, PaceMapping)? family = arcs[0] switch
        {
            "1" => (PaceKeyAgreement.DiffieHellman, PaceMapping.Generic),
            "2" => (PaceKeyAgreement.EllipticCurveDiffieHellman, PaceMapping.Generic),
            "3" => (PaceKeyAgreement.DiffieHellman, PaceMapping.Integrated),
            "4" => (PaceKeyAgreement.EllipticCurveDiffieHellman, PaceMapping.Integrated),
            "6" => (PaceKeyAgreement.EllipticCurveDiffieHellman, PaceMapping.ChipAuthentication),
            _ => null,
        };
        CipherKind? cipher = arcs[1] switch
        {
            "1" => CipherKind.TripleDes,
            "2" => CipherKind.Aes128,
            "3" => CipherKind.Aes192,
            "4" => CipherKind.Aes256,
            _ => null,
        };
        if (family is not (PaceKeyAgreement agreement, PaceMapping mapping) || cipher is not CipherKind kind) return null;
        if (mapping == PaceMapping.ChipAuthentication && kind == CipherKind.TripleDes) return null;
        return new PaceAlgorithm(oid, agreement, mapping, kind);
    }
}

/// <summary>DER object identifiers as bytes.</summary>
public static class ObjectIdentifiers
{
    /// <summary>The full DER encoding: 06 length content.</summary>
    public static byte[] Encode(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    public static byte[] Content(string oid) => Encode(oid)[2..];
}
