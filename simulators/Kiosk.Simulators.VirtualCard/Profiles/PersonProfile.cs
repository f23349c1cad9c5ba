namespace Kiosk.Simulators.VirtualCard.Profiles;

/// <summary>
/// The person a virtual CCCD belongs to, as read from a profile JSON file (camelCase property names). Everything the
/// chip's files (DG1, DG13) hold is derived from it. Synthetic people only: never put a real person's data here.
/// </summary>
public sealed record PersonProfile
{
    /// <summary>Slug used by the control API, e.g. "nguyen-van-an".</summary>
    public string Id { get; init; } = "";
    /// <summary>With diacritics, as printed on the card: "Nguyễn Văn An".</summary>
    public string FullName { get; init; } = "";
    /// <summary>12-digit personal ID number: province code, century/sex digit, birth year, 6 digits.</summary>
    public string IdNumber { get; init; } = "";
    /// <summary>yyyy-mm-dd.</summary>
    public string DateOfBirth { get; init; } = "";
    /// <summary>"Nam" or "Nữ".</summary>
    public string Sex { get; init; } = "";
    public string Nationality { get; init; } = "Việt Nam";
    public string Ethnicity { get; init; } = "";
    public string Religion { get; init; } = "";
    public string PlaceOfOrigin { get; init; } = "";
    public string PlaceOfResidence { get; init; } = "";
    public string IdentifyingMarks { get; init; } = "";
    /// <summary>yyyy-mm-dd.</summary>
    public string DateOfIssue { get; init; } = "";
    /// <summary>yyyy-mm-dd.</summary>
    public string DateOfExpiry { get; init; } = "";
    public string FatherName { get; init; } = "";
    public string MotherName { get; init; } = "";
    /// <summary>Empty when single.</summary>
    public string SpouseName { get; init; } = "";
    /// <summary>The old 9-digit CMND number, or empty.</summary>
    public string OldIdNumber { get; init; } = "";

    public bool IsMale => Sex == "Nam";
    public DateOnly BirthDate => ProfileDates.Parse(DateOfBirth);
    public DateOnly IssueDate => ProfileDates.Parse(DateOfIssue);
    public DateOnly ExpiryDate => ProfileDates.Parse(DateOfExpiry);
}

internal static class ProfileDates
{
    public static DateOnly Parse(string isoDate) =>
        DateOnly.ParseExact(isoDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string isoDate, out DateOnly date) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out date);
}
