using System.Globalization;

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
}

/// <summary>A validated form with the place names resolved.</summary>
public sealed record ValidResidenceNotification(
    string AddressLine, Province Province, Ward Ward, DateOnly FromDate, DateOnly ToDate, string Reason);

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
        ResidenceNotificationForm form, Places places, DateOnly today)
    {
        var errors = new Dictionary<string, FieldError>();
        var address = form.AddressLine?.Trim() ?? "";
        if (address.Length == 0)
            errors["addressLine"] = new("Vui lòng nhập số nhà, tên đường (ngõ, ngách, tổ dân phố).", "Please enter the house number and street.");
        else if (address.Length > MaxAddress)
            errors["addressLine"] = new($"Địa chỉ không được dài quá {MaxAddress} ký tự.", $"The address must be at most {MaxAddress} characters.");

        Province? province = form.ProvinceCode is { } pc ? places.FindProvince(pc) : null;
        Ward? ward = null;
        if (province is null)
            errors["provinceCode"] = new("Vui lòng chọn tỉnh/thành phố.", "Please choose the province or city.");
        else
        {
            ward = form.WardCode is { } wc ? province.Wards.FirstOrDefault(w => w.Code == wc) : null;
            if (form.WardCode is null)
                errors["wardCode"] = new("Vui lòng chọn phường/xã.", "Please choose the ward or commune.");
            else if (ward is null)
                errors["wardCode"] = new("Phường/xã không thuộc tỉnh/thành phố đã chọn.", "The ward is not in the chosen province.");
        }

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

        if (errors.Count > 0) return (null, errors);
        return (new ValidResidenceNotification(address, province!, ward!, from!.Value, to!.Value, reason), errors);
    }

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
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
