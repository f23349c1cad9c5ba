using Kiosk.Emrtd.Lds;

namespace Kiosk.Host.Card;

/// <summary>What the chip says about its holder. Personal data: keep in memory only for the session; never log.</summary>
public sealed record CardIdentity
{
    public required string IdNumber { get; init; }
    public required string FullName { get; init; }
    public DateOnly? DateOfBirth { get; init; }
    /// <summary>"Nam" / "Nữ" as on the card (DG13), or from the MRZ.</summary>
    public string? Sex { get; init; }
    public string? Nationality { get; init; }
    public string? Ethnicity { get; init; }
    public string? Religion { get; init; }
    public string? PlaceOfOrigin { get; init; }
    public string? PlaceOfResidence { get; init; }
    public DateOnly? DateOfIssue { get; init; }
    public DateOnly? DateOfExpiry { get; init; }
    /// <summary>The expiry as printed when it is not a date (e.g. "Không thời hạn").</summary>
    public string? DateOfExpiryText { get; init; }
    public string? FatherName { get; init; }
    public string? MotherName { get; init; }
    public string? SpouseName { get; init; }
    public string? OldIdNumber { get; init; }
    /// <summary>The MRZ document number (last 9 digits of the ID).</summary>
    public string? DocumentNumber { get; init; }
    /// <summary>Problems found by <see cref="IdNumberRules"/> (empty when consistent).</summary>
    public IReadOnlyList<IdNumberProblem> IdNumberProblems { get; init; } = [];
    /// <summary>The verification record of the read that produced this identity (<see cref="CardTrustPolicy"/>); null when not verified.</summary>
    public CardVerification? Verification { get; init; }

    /// <summary>Builds the identity from DG1's MRZ and (optionally) DG13, as Kiosk.Emrtd parsed them; DG13 wins where both have a value.</summary>
    public static CardIdentity From(Td1Mrz mrz, Dg13? dg13, DateOnly today)
    {
        var id = dg13?.IdNumber ?? mrz.VietnamIdNumber ?? mrz.DocumentNumber;
        var dob = dg13?.DateOfBirth ?? Td1Mrz.ToDate(mrz.DateOfBirth, isBirth: true, today);
        var sex = dg13?.Sex ?? mrz.Sex switch { 'M' => "Nam", 'F' => "Nữ", _ => null };
        var name = dg13?.FullName ?? $"{mrz.Surname} {mrz.GivenNames}".Trim();
        return new CardIdentity
        {
            IdNumber = id,
            FullName = name,
            DateOfBirth = dob,
            Sex = sex,
            Nationality = dg13?.Nationality ?? mrz.Nationality,
            Ethnicity = dg13?.Ethnicity,
            Religion = dg13?.Religion,
            PlaceOfOrigin = dg13?.PlaceOfOrigin,
            PlaceOfResidence = dg13?.PlaceOfResidence,
            DateOfIssue = dg13?.DateOfIssue,
            DateOfExpiry = dg13?.DateOfExpiry ?? (dg13?.DateOfExpiryText is null ? Td1Mrz.ToDate(mrz.DateOfExpiry, isBirth: false, today) : null),
            DateOfExpiryText = dg13?.DateOfExpiryText,
            FatherName = dg13?.FatherName,
            MotherName = dg13?.MotherName,
            SpouseName = dg13?.SpouseName,
            OldIdNumber = dg13?.OldIdNumber,
            DocumentNumber = mrz.DocumentNumber,
            IdNumberProblems = IdNumberRules.Check(id, dob, IdNumberRules.SexFromText(sex)),
        };
    }
}
