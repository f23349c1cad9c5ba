using Kiosk.Host.Places;

namespace Kiosk.Host.Filing;

/// <summary>The form of "Thông báo lưu trú" as the page sends it (the person staying comes from the chip).</summary>
public sealed record ResidenceNotificationForm
{
    public string? AddressLine { get; init; }
    public int? ProvinceCode { get; init; }
    public int? WardCode { get; init; }
    /// <summary>yyyy-MM-dd.</summary>
    public string? FromDate { get; init; }
    /// <summary>yyyy-MM-dd.</summary>
    public string? ToDate { get; init; }
    public string? Reason { get; init; }
    /// <summary>HH:mm, optional: an arrival after 23:00 moves the deadline to 08:00 the next day.</summary>
    public string? ArrivalTime { get; init; }
    /// <summary>The person staying when it is not the card holder (a guest without a card); null = the card holder.</summary>
    public GuestForm? Guest { get; init; }
}

/// <summary>A guest without a chip card: name and the ID, old ID (CMND) or passport number, typed.</summary>
public sealed record GuestForm
{
    public string? FullName { get; init; }
    /// <summary><c>id</c> (12-digit personal ID), <c>cmnd</c> (9-digit old ID) or <c>passport</c>.</summary>
    public string? DocumentType { get; init; }
    public string? DocumentNumber { get; init; }
    /// <summary>yyyy-MM-dd, optional; checked against the ID number when given.</summary>
    public string? DateOfBirth { get; init; }
    public string? Nationality { get; init; }
}

public sealed record ValidGuest(string FullName, string DocumentType, string DocumentNumber, DateOnly? DateOfBirth, string? Nationality);

/// <summary>A validated form with the place names resolved.</summary>
public sealed record ValidResidenceNotification(
    string AddressLine, Province Province, Ward Ward, DateOnly FromDate, DateOnly ToDate, string Reason,
    TimeOnly? Arrival = null, ValidGuest? Guest = null);

/// <summary>
/// A resident-facing message: a stable key in the resource files (wwwroot/i18n/vi.json, en.json, see <see cref="Messages"/>)
/// and an optional number for its "{n}" placeholder. <see cref="Vi"/> and <see cref="En"/> are the texts from those files.
/// </summary>
public sealed record FieldError(string Key, int? N = null)
{
    public string Vi => Messages.Text("vi", Key, N);
    public string En => Messages.Text("en", Key, N);
}

public static class ResidenceNotification
{
    public const string Procedure = "thong-bao-luu-tru";
    public static string TitleVi => Messages.Text("vi", "svc." + Procedure);
    public static string TitleEn => Messages.Text("en", "svc." + Procedure);
    public const int MaxAddress = 200;
    public const int MaxReason = 500;
    public const int MaxDaysAhead = 30;

    /// <summary>Validates the form against the places list and today's date (Vietnam time).</summary>
    public static (ValidResidenceNotification? Value, IReadOnlyDictionary<string, FieldError> Errors) Validate(
        ResidenceNotificationForm form, AdminUnits places, DateOnly today)
    {
        var errors = new Dictionary<string, FieldError>();
        var address = form.AddressLine?.Trim() ?? "";
        if (address.Length == 0)
            errors["addressLine"] = new("err.address.required");
        else if (address.Length > MaxAddress)
            errors["addressLine"] = new("err.address.tooLong", MaxAddress);

        var (province, ward) = FormRules.Place(errors, places, form.ProvinceCode, form.WardCode);

        var from = ParseDate(form.FromDate);
        var to = ParseDate(form.ToDate);
        if (from is null)
            errors["fromDate"] = new("err.stay.fromDate.required");
        else if (from < today.AddDays(-1))
            errors["fromDate"] = new("err.stay.fromDate.past");
        else if (from > today.AddDays(MaxDaysAhead))
            errors["fromDate"] = new("err.stay.fromDate.future", MaxDaysAhead);

        if (to is null)
            errors["toDate"] = new("err.stay.toDate.required");
        else if (from is not null && to < from)
            errors["toDate"] = new("err.toDate.beforeFrom");

        var reason = form.Reason?.Trim() ?? "";
        if (reason.Length == 0)
            errors["reason"] = new("err.reason.required");
        else if (reason.Length > MaxReason)
            errors["reason"] = new("err.reason.tooLong", MaxReason);

        TimeOnly? arrival = null;
        if (!string.IsNullOrWhiteSpace(form.ArrivalTime))
        {
            arrival = FormRules.ParseTime(form.ArrivalTime);
            if (arrival is null)
                errors["arrivalTime"] = new("err.arrivalTime.invalid");
        }

        var guest = form.Guest is null ? null : ValidateGuest(form.Guest, errors, today);

        if (errors.Count > 0) return (null, errors);
        return (new ValidResidenceNotification(address, province!, ward!, from!.Value, to!.Value, reason, arrival, guest), errors);
    }

    private static ValidGuest? ValidateGuest(GuestForm g, Dictionary<string, FieldError> errors, DateOnly today)
    {
        var name = FormRules.Text(errors, "guest.fullName", g.FullName, 100,
            new("err.guest.fullName.required"));
        var dob = FormRules.BirthDate(errors, "guest.dateOfBirth", g.DateOfBirth, today, required: false);
        var type = g.DocumentType?.Trim();
        var number = new string((g.DocumentNumber ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();
        string? valid = null;
        switch (type)
        {
            case "id":
                valid = FormRules.IdNumber(errors, "guest.documentNumber", number, dob, null);
                break;
            case "cmnd":
                if (number.Length == 9 && number.All(char.IsAsciiDigit)) valid = number;
                else errors["guest.documentNumber"] = new("err.guest.cmnd");
                break;
            case "passport":
                if (number.Length is >= 6 and <= 20 && number.All(char.IsAsciiLetterOrDigit)) valid = number;
                else errors["guest.documentNumber"] = new("err.guest.passport");
                break;
            default:
                errors["guest.documentType"] = new("err.guest.documentType");
                break;
        }
        var nationality = g.Nationality?.Trim();
        if (nationality is { Length: > 60 })
            errors["guest.nationality"] = new("err.guest.nationality.tooLong");
        return name is null || valid is null ? null
            : new ValidGuest(name, type!, valid, dob, string.IsNullOrEmpty(nationality) ? null : nationality);
    }

    private static DateOnly? ParseDate(string? text) => FormRules.ParseDate(text);
}

/// <summary>
/// The notification deadline (domain.md §1.2): before 23:00 on the first day of the stay; for an arrival after 23:00,
/// before 08:00 the next day.
/// </summary>
public static class NotificationDeadline
{
    public const string RuleKey = "deadline.rule";
    public static string RuleVi => Messages.Text("vi", RuleKey);
    public static string RuleEn => Messages.Text("en", RuleKey);

    /// <summary>The deadline (local Vietnam time) for a stay starting on <paramref name="fromDate"/>, given the arrival time.</summary>
    public static DateTime For(DateOnly fromDate, TimeOnly? arrival = null) =>
        arrival is { } a && a >= new TimeOnly(23, 0)
            ? fromDate.AddDays(1).ToDateTime(new TimeOnly(8, 0))
            : fromDate.ToDateTime(new TimeOnly(23, 0));
}
