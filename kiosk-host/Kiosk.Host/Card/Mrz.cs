using System.Globalization;

namespace Kiosk.Host.Card;

/// <summary>A parsed TD1 MRZ (3 × 30 characters, ICAO 9303 Part 5) with every check digit verified.</summary>
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
    string GivenNames)
{
    /// <summary>The 12-digit personal ID number of a Vietnamese card (first 12 characters of the optional data), or null.</summary>
    public string? VietnamIdNumber =>
        IssuingState == "VNM" && OptionalData1.Length >= 12 && OptionalData1[..12].All(char.IsAsciiDigit) ? OptionalData1[..12] : null;
}

public static class Mrz
{
    /// <summary>ICAO 9303 check digit: 0-9 → 0–9, A-Z → 10–35, &lt; → 0, weights 7,3,1, sum mod 10.</summary>
    public static int CheckDigit(ReadOnlySpan<char> input)
    {
        ReadOnlySpan<int> weights = [7, 3, 1];
        var sum = 0;
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            int v = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'A' and <= 'Z' => c - 'A' + 10,
                '<' => 0,
                _ => throw new CardDataException(CardDataError.BadMrz, $"MRZ: character not allowed at {i}"),
            };
            sum += v * weights[i % 3];
        }
        return sum % 10;
    }

    private static void Verify(string field, ReadOnlySpan<char> data, char digit)
    {
        if (digit is < '0' or > '9' || CheckDigit(data) != digit - '0')
            throw new CardDataException(CardDataError.MrzCheckDigit, $"MRZ: check digit of {field} does not match");
    }

    /// <summary>Parses a TD1 MRZ given as 90 characters (DG1 content) or three 30-character lines separated by newlines.</summary>
    public static Td1Mrz ParseTd1(string mrz)
    {
        var text = mrz.Replace("\r", "").Replace("\n", "");
        if (text.Length != 90) throw new CardDataException(CardDataError.BadMrz, $"MRZ: TD1 needs 90 characters, got {text.Length}");
        foreach (var c in text)
            if (!(c is >= '0' and <= '9' or >= 'A' and <= 'Z' or '<'))
                throw new CardDataException(CardDataError.BadMrz, "MRZ: character outside 0-9 A-Z <");

        var l1 = text.AsSpan(0, 30);
        var l2 = text.AsSpan(30, 30);
        var l3 = text.AsSpan(60, 30);

        var documentNumber = l1[5..14].ToString();
        var optional1 = l1[15..30].ToString();
        if (l1[14] == '<' && documentNumber.TrimEnd('<').Length == 9)
        {
            // Long document number (Doc 9303 Part 5 note j): the overflow and its check digit are in the optional data.
            var end = optional1.IndexOf('<');
            if (end < 2) throw new CardDataException(CardDataError.BadMrz, "MRZ: long document number without overflow");
            var full = documentNumber + optional1[..(end - 1)];
            Verify("document number", full, optional1[end - 1]);
            documentNumber = full;
            optional1 = optional1[end..];
        }
        else
        {
            Verify("document number", l1[5..14], l1[14]);
        }

        var dob = l2[0..6];
        Verify("date of birth", dob, l2[6]);
        var doe = l2[8..14];
        Verify("date of expiry", doe, l2[14]);

        var issuing = l1[2..5].ToString().Replace("<", "");
        // Vietnam: the optional data holds the 12-digit ID, "<<", then its check digit in the last position of line 1.
        if (issuing == "VNM" && optional1.Length == 15 && optional1[..12].All(char.IsAsciiDigit) && optional1[12..14] == "<<")
            Verify("ID number", optional1.AsSpan(0, 12), optional1[14]);

        // Composite: line1[5..30] + line2[0..7] + line2[8..15] + line2[18..29].
        var composite = string.Concat(l1[5..30], l2[0..7], l2[8..15], l2[18..29]);
        Verify("composite", composite, l2[29]);

        var names = l3.ToString().TrimEnd('<');
        var split = names.IndexOf("<<", StringComparison.Ordinal);
        var surname = (split < 0 ? names : names[..split]).Replace('<', ' ').Trim();
        var given = (split < 0 ? "" : names[(split + 2)..]).Replace('<', ' ').Trim();

        var sex = l2[7];
        if (sex is not ('M' or 'F' or '<')) throw new CardDataException(CardDataError.BadMrz, "MRZ: sex must be M, F or <");

        return new Td1Mrz(
            DocumentCode: l1[0..2].ToString().Replace("<", ""),
            IssuingState: issuing,
            DocumentNumber: documentNumber.TrimEnd('<'),
            OptionalData1: optional1,
            DateOfBirth: dob.ToString(),
            Sex: sex,
            DateOfExpiry: doe.ToString(),
            Nationality: l2[15..18].ToString().Replace("<", ""),
            OptionalData2: l2[18..29].ToString(),
            Surname: surname,
            GivenNames: given);
    }

    /// <summary>YYMMDD → date. Birth dates pivot so they are never in the future; expiry dates are 20YY.</summary>
    public static DateOnly? ToDate(string yymmdd, bool isBirth, DateOnly today)
    {
        if (yymmdd.Length != 6 || !yymmdd.All(char.IsAsciiDigit)) return null;
        var yy = int.Parse(yymmdd[..2], CultureInfo.InvariantCulture);
        var year = isBirth ? (2000 + yy > today.Year ? 1900 + yy : 2000 + yy) : 2000 + yy;
        var month = int.Parse(yymmdd[2..4], CultureInfo.InvariantCulture);
        var day = int.Parse(yymmdd[4..6], CultureInfo.InvariantCulture);
        if (month is < 1 or > 12) return null;
        return day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
    }
}
