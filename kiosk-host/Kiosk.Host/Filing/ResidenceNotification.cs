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

/// <summary>Per-field messages, Vietnamese and English.</summary>
public sealed record FieldError(string Vi, string En);

public static class ResidenceNotification
{
    public const string Procedure = "thong-bao-luu-tru";
    public const string TitleVi = "Thông báo lưu trú";
    public const string TitleEn = "Residence notification";
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
            errors["addressLine"] = new("Vui lòng nhập số nhà, tên đường (ngõ, ngách, tổ dân phố).", "Please enter the house number and street.");
        else if (address.Length > MaxAddress)
            errors["addressLine"] = new($"Địa chỉ không được dài quá {MaxAddress} ký tự.", $"The address must be at most {MaxAddress} characters.");

        var (province, ward) = FormRules.Place(errors, places, form.ProvinceCode, form.WardCode);

        var from = ParseDate(form.FromDate);
        var to = ParseDate(form.ToDate);
        if (from is null)
            errors["fromDate"] = new("Vui lòng nhập ngày bắt đầu lưu trú hợp lệ.", "Please enter a valid start date of the stay.");
        else if (from < today.AddDays(-1))
            errors["fromDate"] = new("Ngày bắt đầu lưu trú không được trước ngày hôm qua.", "The stay cannot start before yesterday.");
        else if (from > today.AddDays(MaxDaysAhead))
            errors["fromDate"] = new($"Ngày bắt đầu lưu trú không được sau {MaxDaysAhead} ngày tới.", $"The stay must start within {MaxDaysAhead} days.");

        if (to is null)
            errors["toDate"] = new("Vui lòng nhập ngày kết thúc lưu trú hợp lệ.", "Please enter a valid end date of the stay.");
        else if (from is not null && to < from)
            errors["toDate"] = new("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.", "The end date must be on or after the start date.");

        var reason = form.Reason?.Trim() ?? "";
        if (reason.Length == 0)
            errors["reason"] = new("Vui lòng nhập lý do lưu trú.", "Please enter the reason for the stay.");
        else if (reason.Length > MaxReason)
            errors["reason"] = new($"Lý do không được dài quá {MaxReason} ký tự.", $"The reason must be at most {MaxReason} characters.");

        TimeOnly? arrival = null;
        if (!string.IsNullOrWhiteSpace(form.ArrivalTime))
        {
            arrival = FormRules.ParseTime(form.ArrivalTime);
            if (arrival is null)
                errors["arrivalTime"] = new("Giờ đến không hợp lệ (giờ:phút, ví dụ 23:30).", "The arrival time is not valid (hours:minutes, e.g. 23:30).");
        }

        var guest = form.Guest is null ? null : ValidateGuest(form.Guest, errors, today);

        if (errors.Count > 0) return (null, errors);
        return (new ValidResidenceNotification(address, province!, ward!, from!.Value, to!.Value, reason, arrival, guest), errors);
    }

    private static ValidGuest? ValidateGuest(GuestForm g, Dictionary<string, FieldError> errors, DateOnly today)
    {
        var name = FormRules.Text(errors, "guest.fullName", g.FullName, 100,
            new("Vui lòng nhập họ và tên người lưu trú.", "Please enter the full name of the person staying."));
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
                else errors["guest.documentNumber"] = new("Số CMND phải gồm đúng 9 chữ số.", "The old ID (CMND) number must be exactly 9 digits.");
                break;
            case "passport":
                if (number.Length is >= 6 and <= 20 && number.All(char.IsAsciiLetterOrDigit)) valid = number;
                else errors["guest.documentNumber"] = new("Số hộ chiếu gồm 6 đến 20 chữ cái hoặc chữ số.", "The passport number has 6 to 20 letters or digits.");
                break;
            default:
                errors["guest.documentType"] = new("Vui lòng chọn loại giấy tờ: căn cước, CMND hoặc hộ chiếu.", "Please choose the document: ID card, old ID (CMND) or passport.");
                break;
        }
        var nationality = g.Nationality?.Trim();
        if (nationality is { Length: > 60 })
            errors["guest.nationality"] = new("Quốc tịch không được dài quá 60 ký tự.", "The nationality must be at most 60 characters.");
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
    public const string RuleVi = "Thông báo lưu trú trước 23 giờ ngày đầu tiên lưu trú; nếu đến sau 23 giờ thì thông báo trước 8 giờ sáng ngày hôm sau.";
    public const string RuleEn = "Notify before 23:00 on the first day of the stay; after a late arrival (after 23:00), before 08:00 the next day.";

    /// <summary>The deadline (local Vietnam time) for a stay starting on <paramref name="fromDate"/>, given the arrival time.</summary>
    public static DateTime For(DateOnly fromDate, TimeOnly? arrival = null) =>
        arrival is { } a && a >= new TimeOnly(23, 0)
            ? fromDate.AddDays(1).ToDateTime(new TimeOnly(8, 0))
            : fromDate.ToDateTime(new TimeOnly(23, 0));
}
