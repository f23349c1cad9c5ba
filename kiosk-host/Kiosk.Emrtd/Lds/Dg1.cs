using System.Globalization;
using System.Text;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.Iso7816;

namespace Kiosk.Emrtd.Lds;

/// <summary>A TD1 MRZ (3 × 30 characters, Doc 9303 Part 5) with every check digit verified.</summary>
public sealed record Td1Mrz(
    string DocumentCode,
    string IssuingState,
    string DocumentNumber,
    string OptionalData1,
    string DateOfBirth,
    char Sex,
    string DateOfExpiry,
    string Nationality,
    string OptionalData2,
    string Surname,
    string GivenNames,
    IReadOnlyList<string> Lines)
{
    /// <summary>The 12-digit personal ID of a Vietnamese card: the first 12 characters of the optional data (§3.2), or null.</summary>
    public string? VietnamIdNumber =>
        IssuingState == "VNM" && OptionalData1.Length >= 12 && OptionalData1[..12].All(char.IsAsciiDigit) ? OptionalData1[..12] : null;

    /// <summary>Parses 90 characters, or three lines of 30 separated by line breaks.</summary>
    public static Td1Mrz Parse(string mrz)
    {
        string text = mrz.Replace("\r", "").Replace("\n", "");
        if (text.Length != 90) throw new MalformedDataException($"[MRZ] TD1 needs 90 characters, got {text.Length}");
        foreach (char c in text)
            if (c is not (>= '0' and <= '9' or >= 'A' and <= 'Z' or '<')) throw new MalformedDataException("[MRZ] character outside 0-9 A-Z <");
        string l1 = text[..30], l2 = text[30..60], l3 = text[60..];

        string documentNumber = l1[5..14];
        string optional1 = l1[15..30];
        if (l1[14] == '<' && documentNumber.TrimEnd('<').Length == 9)
        {
            // Long document number (Part 5 note j, emrtd.md §1.1): the overflow and its check digit open the optional data.
            int end = optional1.IndexOf('<');
            if (end < 2) throw new MalformedDataException("[MRZ] long document number without its overflow");
            string full = documentNumber + optional1[..(end - 1)];
            Verify("document number", full, optional1[end - 1]);
            documentNumber = full;
            optional1 = optional1[end..];
        }
        else
        {
            Verify("document number", documentNumber, l1[14]);
        }
        Verify("date of birth", l2[0..6], l2[6]);
        Verify("date of expiry", l2[8..14], l2[14]);
        string issuing = l1[2..5].Replace("<", "");
        // Vietnam: optional data = the 12-digit ID, "<<", and a check digit over the ID in the last position (§3.2).
        if (issuing == "VNM" && optional1.Length == 15 && optional1[..12].All(char.IsAsciiDigit) && optional1[12..14] == "<<")
            Verify("ID number", optional1[..12], optional1[14]);
        Verify("composite", string.Concat(l1[5..30], l2[0..7], l2[8..15], l2[18..29]), l2[29]);

        char sex = l2[7];
        if (sex is not ('M' or 'F' or '<')) throw new MalformedDataException("[MRZ] sex must be M, F or <");
        string names = l3.TrimEnd('<');
        int split = names.IndexOf("<<", StringComparison.Ordinal);
        return new Td1Mrz(
            DocumentCode: l1[0..2].Replace("<", ""),
            IssuingState: issuing,
            DocumentNumber: documentNumber.TrimEnd('<'),
            OptionalData1: optional1,
            DateOfBirth: l2[0..6],
            Sex: sex,
            DateOfExpiry: l2[8..14],
            Nationality: l2[15..18].Replace("<", ""),
            OptionalData2: l2[18..29],
            Surname: (split < 0 ? names : names[..split]).Replace('<', ' ').Trim(),
            GivenNames: (split < 0 ? "" : names[(split + 2)..]).Replace('<', ' ').Trim(),
            Lines: [l1, l2, l3]);
    }

    /// <summary>The 90 characters as on the chip (the three lines joined).</summary>
    public string Text => string.Concat(Lines);

    public override string ToString() => $"Td1Mrz {{ DocumentCode = {DocumentCode}, IssuingState = {IssuingState} }}"; // no personal data

    /// <summary>
    /// YYMMDD as a date, or null when it is not one. Birth dates pivot so they never lie after <paramref name="today"/>;
    /// expiry dates are 20YY.
    /// </summary>
    public static DateOnly? ToDate(string yymmdd, bool isBirth, DateOnly today)
    {
        if (yymmdd.Length != 6 || !yymmdd.All(char.IsAsciiDigit)) return null;
        int yy = int.Parse(yymmdd[..2], CultureInfo.InvariantCulture);
        int year = isBirth ? (2000 + yy > today.Year ? 1900 + yy : 2000 + yy) : 2000 + yy;
        int month = int.Parse(yymmdd[2..4], CultureInfo.InvariantCulture);
        int day = int.Parse(yymmdd[4..6], CultureInfo.InvariantCulture);
        if (month is < 1 or > 12) return null;
        return day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
    }

    private static void Verify(string field, string data, char digit)
    {
        if (MrzInformation.CheckDigit(data) != digit) throw new MalformedDataException($"[MRZ] check digit of the {field} does not match");
    }
}

/// <summary>DG1: 61 { 5F1F MRZ }. Only TD1 (the ID-card format) is parsed; other lengths are a typed error.</summary>
public static class Dg1
{
    public static Td1Mrz Parse(ReadOnlySpan<byte> file)
    {
        IReadOnlyList<Tlv> objects = BerTlv.ParseAll(Asn.Unwrap(file, DataGroups.Tag(1), "DG1"));
        byte[] mrz = BerTlv.Find(objects, 0x5F1F)?.Value ?? throw new MalformedDataException("[DG1] no MRZ (5F1F)");
        foreach (byte b in mrz) if (b is < 0x20 or > 0x7E) throw new MalformedDataException("[DG1] MRZ is not ASCII");
        return Td1Mrz.Parse(Encoding.ASCII.GetString(mrz));
    }
}
