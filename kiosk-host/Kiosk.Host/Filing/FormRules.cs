using System.Globalization;
using System.Text.RegularExpressions;
using Kiosk.Host.Card;
using Kiosk.Host.Places;

namespace Kiosk.Host.Filing;

/// <summary>Field rules shared by every procedure's form; each adds a message (key in wwwroot/i18n) per field.</summary>
public static partial class FormRules
{
    public static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    public static TimeOnly? ParseTime(string? text) =>
        TimeOnly.TryParseExact(text?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    /// <summary>Required text, trimmed, at most <paramref name="max"/> characters.</summary>
    public static string? Text(Dictionary<string, FieldError> errors, string field, string? value, int max, FieldError? missing, bool required = true)
    {
        var t = value?.Trim() ?? "";
        if (t.Length == 0)
        {
            if (required) errors[field] = missing ?? new("err.required");
            return null;
        }
        if (t.Length > max)
        {
            errors[field] = new("err.tooLong", max);
            return null;
        }
        return t;
    }

    [GeneratedRegex(@"^0(3|5|7|8|9)\d{8}$")]
    private static partial Regex MobileRegex();

    [GeneratedRegex(@"^02\d{9}$")]
    private static partial Regex LandlineRegex();

    /// <summary>A Vietnamese phone number: 10 digits starting with 0 (or +84 …); spaces, dots and dashes are ignored.</summary>
    public static string? NormalizePhone(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var digits = new string(text.Where(c => !char.IsWhiteSpace(c) && c is not '.' and not '-').ToArray());
        if (digits.StartsWith("+84", StringComparison.Ordinal)) digits = "0" + digits[3..];
        else if (digits.StartsWith("84", StringComparison.Ordinal) && digits.Length == 11) digits = "0" + digits[2..];
        return MobileRegex().IsMatch(digits) || LandlineRegex().IsMatch(digits) ? digits : null;
    }

    public static string? Phone(Dictionary<string, FieldError> errors, string field, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors[field] = new("err.phone.required");
            return null;
        }
        var phone = NormalizePhone(value);
        if (phone is null)
            errors[field] = new("err.phone.invalid");
        return phone;
    }

    [GeneratedRegex(@"^[^\s@]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    private static partial Regex EmailRegex();

    public static string? Email(Dictionary<string, FieldError> errors, string field, string? value, bool required)
    {
        var t = value?.Trim() ?? "";
        if (t.Length == 0)
        {
            if (required) errors[field] = new("err.email.required");
            return null;
        }
        if (t.Length > 254 || !EmailRegex().IsMatch(t))
        {
            errors[field] = new("err.email.invalid");
            return null;
        }
        return t;
    }

    /// <summary>A 12-digit personal ID number checked with <see cref="IdNumberRules"/> against the date of birth and sex when known.</summary>
    public static string? IdNumber(Dictionary<string, FieldError> errors, string field, string? value, DateOnly? dateOfBirth, PersonSex? sex, bool required = true)
    {
        var t = new string((value ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (t.Length == 0)
        {
            if (required) errors[field] = new("err.idNumber.required");
            return null;
        }
        var problems = IdNumberRules.Check(t, dateOfBirth, sex);
        if (problems.Count == 0) return t;
        errors[field] = problems[0] switch
        {
            IdNumberProblem.NotTwelveDigits => new("err.idNumber.twelveDigits"),
            IdNumberProblem.UnknownProvince => new("err.idNumber.province"),
            IdNumberProblem.SexDoesNotMatch => new("err.idNumber.sex"),
            _ => new("err.idNumber.birthYear"),
        };
        return null;
    }

    /// <summary>A date that is not in the future (birth dates).</summary>
    public static DateOnly? BirthDate(Dictionary<string, FieldError> errors, string field, string? value, DateOnly today, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors[field] = new("err.dateOfBirth.required");
            return null;
        }
        var d = ParseDate(value);
        if (d is null || d > today || d < today.AddYears(-130))
        {
            errors[field] = new("err.dateOfBirth.invalid");
            return null;
        }
        return d;
    }

    public static PersonSex? Sex(Dictionary<string, FieldError> errors, string field, string? value)
    {
        var s = IdNumberRules.SexFromText(value);
        if (s is null) errors[field] = new("err.sex.required");
        return s;
    }

    /// <summary>Province and ward from the 2025 units; the ward must belong to the province.</summary>
    public static (Province? Province, Ward? Ward) Place(Dictionary<string, FieldError> errors, AdminUnits places, int? provinceCode, int? wardCode)
    {
        var province = provinceCode is { } pc ? places.FindProvince(pc) : null;
        Ward? ward = null;
        if (province is null)
            errors["provinceCode"] = new("err.province.required");
        else
        {
            ward = wardCode is { } wc ? province.Wards.FirstOrDefault(w => w.Code == wc) : null;
            if (wardCode is null)
                errors["wardCode"] = new("err.ward.required");
            else if (ward is null)
                errors["wardCode"] = new("err.ward.notInProvince");
        }
        return (province, ward);
    }

    public static int AgeOn(DateOnly dateOfBirth, DateOnly today)
    {
        var age = today.Year - dateOfBirth.Year;
        if (dateOfBirth > today.AddYears(-age)) age--;
        return age;
    }
}
