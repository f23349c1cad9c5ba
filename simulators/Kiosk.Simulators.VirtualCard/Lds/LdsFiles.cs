using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kiosk.Simulators.VirtualCard.Profiles;
using Kiosk.Simulators.VirtualCard.Tlv;

namespace Kiosk.Simulators.VirtualCard.Lds;

/// <summary>File identifiers and short EF identifiers of the LDS files the virtual card holds (emrtd.md §2.1).</summary>
public static class LdsFileIds
{
    public const ushort EfCardAccess = 0x011C;
    public const ushort EfCom = 0x011E;
    public const ushort Dg1 = 0x0101;
    public const ushort Dg13 = 0x010D;

    /// <summary>SFI → FID, for READ BINARY with a short EF identifier in P1.</summary>
    public static ushort? FromShortId(int sfi) => sfi switch
    {
        0x1C => EfCardAccess,
        0x1E => EfCom,
        0x01 => Dg1,
        0x0D => Dg13,
        0x02 => 0x0102,
        0x0E => 0x010E,
        0x0F => 0x010F,
        0x1D => 0x011D,
        _ => null,
    };
}

/// <summary>Builds the contents of EF.COM, DG1 and DG13 from a person profile. Pure: same profile, same bytes.</summary>
public static class LdsFiles
{
    /// <summary>ISO/IEC 10646 UTF-8 transfer-encoding OID that opens the Vietnamese DG13.</summary>
    public const string Dg13EncodingOid = "1.0.10646.1.0.8";

    /// <summary>
    /// EF.CardAccess as Vietnamese apps hard-code it (emrtd.md §3.1): TerminalAuthenticationInfo v1, a
    /// ChipAuthenticationInfo (OID 0.4.0.127.0.7.2.2.3.2.2 in these bytes) and PACEInfo id-PACE-ECDH-GM-AES-CBC-CMAC-128
    /// v2 with parameterId 13 (brainpoolP256r1).
    /// </summary>
    public static byte[] CardAccess() => Convert.FromHexString(
        "3134300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D");

    /// <summary>EF.COM: tag 60 { 5F01 LDS version "0107", 5F36 Unicode version "040000", 5C tag list 61 6D }.</summary>
    public static byte[] EfCom()
    {
        return BerTlv.EncodeConstructed(0x60,
            BerTlv.Encode(0x5F01, Encoding.ASCII.GetBytes("0107")),
            BerTlv.Encode(0x5F36, Encoding.ASCII.GetBytes("040000")),
            BerTlv.Encode(0x5C, [0x61, 0x6D]));
    }

    /// <summary>DG1: tag 61 { 5F1F the 90-character TD1 MRZ }.</summary>
    public static byte[] Dg1(PersonProfile profile)
    {
        return BerTlv.EncodeConstructed(0x61, BerTlv.Encode(0x5F1F, Encoding.ASCII.GetBytes(MrzTd1.Text(profile))));
    }

    /// <summary>
    /// DG13 as the Vietnamese card lays it out (emrtd.md §3.3): 6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8,
    /// SET { SEQUENCE { INTEGER n, value } … } } }. Numbers and dates are PrintableString (dates dd/mm/yyyy),
    /// Vietnamese text is UTF8String. Field 13 holds father and mother, each in its own SEQUENCE (the byte layout seen
    /// on real cards); 14 the spouse in a SEQUENCE, or nothing; 15 the old ID number, or nothing.
    /// </summary>
    public static byte[] Dg13(PersonProfile profile)
    {
        byte[][] fields =
        [
            Field(1, Asn1.PrintableString(profile.IdNumber)),
            Field(2, Asn1.Utf8String(profile.FullName)),
            Field(3, Asn1.PrintableString(DdMmYyyy(profile.BirthDate))),
            Field(4, Asn1.Utf8String(profile.Sex)),
            Field(5, Asn1.Utf8String(profile.Nationality)),
            Field(6, Asn1.Utf8String(profile.Ethnicity)),
            Field(7, Asn1.Utf8String(profile.Religion)),
            Field(8, Asn1.Utf8String(profile.PlaceOfOrigin)),
            Field(9, Asn1.Utf8String(profile.PlaceOfResidence)),
            Field(10, Asn1.Utf8String(profile.IdentifyingMarks)),
            Field(11, Asn1.PrintableString(DdMmYyyy(profile.IssueDate))),
            Field(12, Asn1.PrintableString(DdMmYyyy(profile.ExpiryDate))),
            Field(13, Asn1.Sequence(Asn1.Utf8String(profile.FatherName)), Asn1.Sequence(Asn1.Utf8String(profile.MotherName))),
            profile.SpouseName.Length == 0 ? Field(14) : Field(14, Asn1.Sequence(Asn1.Utf8String(profile.SpouseName))),
            profile.OldIdNumber.Length == 0 ? Field(15) : Field(15, Asn1.PrintableString(profile.OldIdNumber)),
            Field(16, Asn1.PrintableString(ChipSerial(profile.IdNumber))),
        ];
        return BerTlv.EncodeConstructed(0x6D,
            Asn1.Sequence(
                Asn1.Integer(1),
                Asn1.ObjectIdentifier(Dg13EncodingOid),
                Asn1.Set(fields)));
    }

    private static byte[] Field(int number, params byte[][] values) => Asn1.Sequence([Asn1.Integer(number), .. values]);

    private static string DdMmYyyy(DateOnly date) => date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    /// <summary>Field 16 on real cards is a 16-character hex-like string of unknown meaning; derive a stable one from the ID.</summary>
    private static string ChipSerial(string idNumber) =>
        Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes("cccd-serial:" + idNumber)), 0, 8);
}
