using System.Globalization;
using System.Text;
using Kiosk.Simulators.VirtualCard.Profiles;

namespace Kiosk.Simulators.VirtualCard.Lds;

/// <summary>
/// The TD1 machine-readable zone (3 × 30 characters) of a CCCD, laid out as emrtd.md §3.2 describes:
/// line 1 = ID VNM, document number (last 9 digits of the ID) + check digit, optional data = the 12-digit ID, "&lt;&lt;",
/// check digit of the 12-digit ID; line 2 = DOB + cd, sex, DOE + cd, VNM, 11 fillers, composite check digit;
/// line 3 = SURNAME&lt;&lt;GIVEN&lt;NAMES without diacritics.
/// </summary>
public static class MrzTd1
{
    public const int LineLength = 30;

    public static string[] Lines(PersonProfile profile)
    {
        string documentNumber = profile.IdNumber[3..];
        string optionalData = profile.IdNumber + "<<" + CheckDigit(profile.IdNumber);
        string line1 = "IDVNM" + documentNumber + CheckDigit(documentNumber) + optionalData;

        string birth = YyMmDd(profile.BirthDate);
        string expiry = YyMmDd(profile.ExpiryDate);
        string line2WithoutComposite = birth + CheckDigit(birth) + (profile.IsMale ? 'M' : 'F') + expiry + CheckDigit(expiry)
            + "VNM" + new string('<', 11);
        string composite = line1[5..30] + line2WithoutComposite[0..7] + line2WithoutComposite[8..15] + line2WithoutComposite[18..29];
        string line2 = line2WithoutComposite + CheckDigit(composite);

        string line3 = NameField(profile.FullName);
        return [line1, line2, line3];
    }

    /// <summary>The 90 characters DG1's 5F1F holds: the three lines without separators.</summary>
    public static string Text(PersonProfile profile) => string.Concat(Lines(profile));

    /// <summary>ICAO 9303 Part 3 check digit: the one implementation, in Kiosk.Emrtd (the terminal side uses it too).</summary>
    public static char CheckDigit(string field) => Kiosk.Emrtd.Bac.MrzInformation.CheckDigit(field);

    /// <summary>"Nguyễn Văn An" → "NGUYEN&lt;&lt;VAN&lt;AN", padded or cut to 30 characters.</summary>
    public static string NameField(string fullName)
    {
        string[] words = Transliterate(fullName).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string field = words.Length == 0 ? "" : words[0] + "<<" + string.Join('<', words.Skip(1));
        return field.Length >= LineLength ? field[..LineLength] : field.PadRight(LineLength, '<');
    }

    /// <summary>Upper case A-Z and spaces: diacritics removed, Đ → D, anything else → space.</summary>
    public static string Transliterate(string text)
    {
        string decomposed = text.Replace('Đ', 'D').Replace('đ', 'd').Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (char c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            char upper = char.ToUpperInvariant(c);
            builder.Append(upper is >= 'A' and <= 'Z' ? upper : ' ');
        }
        return builder.ToString();
    }

    private static string YyMmDd(DateOnly date) => date.ToString("yyMMdd", CultureInfo.InvariantCulture);
}
