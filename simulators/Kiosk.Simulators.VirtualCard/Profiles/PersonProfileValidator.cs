using System.Text.RegularExpressions;

namespace Kiosk.Simulators.VirtualCard.Profiles;

/// <summary>
/// Checks that a profile could be a real card: the ID number's structure (domain.md §4.1: PPP province code, G
/// century/sex digit, YY birth year, 6 digits) agrees with the date of birth and sex. Messages name the field, never
/// its value, so they can be logged.
/// </summary>
public static partial class PersonProfileValidator
{
    /// <summary>Province codes of the 63 pre-2025 provinces, as used in ID numbers (issued numbers never change).</summary>
    public static readonly IReadOnlySet<string> ProvinceCodes = new HashSet<string>
    {
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
        "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
        "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
        "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
    };

    /// <summary>Every problem found; empty when the profile is usable.</summary>
    public static IReadOnlyList<string> Validate(PersonProfile profile)
    {
        var problems = new List<string>();
        if (!SlugPattern().IsMatch(profile.Id)) problems.Add("id must be a slug of lower-case letters, digits and '-'");
        if (string.IsNullOrWhiteSpace(profile.FullName) || profile.FullName.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 2)
            problems.Add("fullName must hold a surname and a given name");
        if (profile.Sex is not ("Nam" or "Nữ")) problems.Add("sex must be \"Nam\" or \"Nữ\"");

        bool birthOk = ProfileDates.TryParse(profile.DateOfBirth, out DateOnly birth);
        if (!birthOk) problems.Add("dateOfBirth must be yyyy-mm-dd");
        if (!ProfileDates.TryParse(profile.DateOfIssue, out _)) problems.Add("dateOfIssue must be yyyy-mm-dd");
        if (!ProfileDates.TryParse(profile.DateOfExpiry, out _)) problems.Add("dateOfExpiry must be yyyy-mm-dd");

        if (!TwelveDigits().IsMatch(profile.IdNumber))
        {
            problems.Add("idNumber must be 12 digits");
        }
        else
        {
            if (!ProvinceCodes.Contains(profile.IdNumber[..3])) problems.Add("idNumber does not start with a known province code");
            if (birthOk && profile.Sex is "Nam" or "Nữ")
            {
                char expectedCentury = CenturySexDigit(birth.Year, profile.Sex == "Nam");
                if (profile.IdNumber[3] != expectedCentury) problems.Add("idNumber's century/sex digit does not match dateOfBirth and sex");
                if (profile.IdNumber.Substring(4, 2) != (birth.Year % 100).ToString("00")) problems.Add("idNumber's year digits do not match dateOfBirth");
            }
        }
        if (profile.OldIdNumber.Length != 0 && !NineDigits().IsMatch(profile.OldIdNumber)) problems.Add("oldIdNumber must be 9 digits or empty");
        return problems;
    }

    /// <summary>0/1 for the 1900s (male/female), 2/3 for the 2000s, and so on per century.</summary>
    public static char CenturySexDigit(int birthYear, bool male)
    {
        int centuryIndex = birthYear / 100 - 19;
        if (centuryIndex is < 0 or > 4) throw new ArgumentOutOfRangeException(nameof(birthYear), "no century/sex digit for this year");
        return (char)('0' + centuryIndex * 2 + (male ? 0 : 1));
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex TwelveDigits();

    [GeneratedRegex("^[0-9]{9}$")]
    private static partial Regex NineDigits();
}
