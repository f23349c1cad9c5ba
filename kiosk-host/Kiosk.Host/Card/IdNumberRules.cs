namespace Kiosk.Host.Card;

public enum IdNumberProblem
{
    NotTwelveDigits,
    UnknownProvince,
    CenturyDoesNotMatchBirthYear,
    SexDoesNotMatch,
    YearDoesNotMatchBirthYear,
}

public enum PersonSex { Male, Female }

/// <summary>
/// The 12-digit personal ID number <c>PPP G YY NNNNNN</c> (domain.md §4.1): PPP = province of birth registration (the 63
/// pre-2025 codes), G = century and sex (0/1 = 1900s male/female, 2/3 = 2000s, …), YY = birth year. No check digit.
/// </summary>
public static class IdNumberRules
{
    public static readonly IReadOnlyDictionary<string, string> Provinces = new Dictionary<string, string>
    {
        ["001"] = "Hà Nội", ["002"] = "Hà Giang", ["004"] = "Cao Bằng", ["006"] = "Bắc Kạn", ["008"] = "Tuyên Quang",
        ["010"] = "Lào Cai", ["011"] = "Điện Biên", ["012"] = "Lai Châu", ["014"] = "Sơn La", ["015"] = "Yên Bái",
        ["017"] = "Hòa Bình", ["019"] = "Thái Nguyên", ["020"] = "Lạng Sơn", ["022"] = "Quảng Ninh", ["024"] = "Bắc Giang",
        ["025"] = "Phú Thọ", ["026"] = "Vĩnh Phúc", ["027"] = "Bắc Ninh", ["030"] = "Hải Dương", ["031"] = "Hải Phòng",
        ["033"] = "Hưng Yên", ["034"] = "Thái Bình", ["035"] = "Hà Nam", ["036"] = "Nam Định", ["037"] = "Ninh Bình",
        ["038"] = "Thanh Hóa", ["040"] = "Nghệ An", ["042"] = "Hà Tĩnh", ["044"] = "Quảng Bình", ["045"] = "Quảng Trị",
        ["046"] = "Thừa Thiên Huế", ["048"] = "Đà Nẵng", ["049"] = "Quảng Nam", ["051"] = "Quảng Ngãi", ["052"] = "Bình Định",
        ["054"] = "Phú Yên", ["056"] = "Khánh Hòa", ["058"] = "Ninh Thuận", ["060"] = "Bình Thuận", ["062"] = "Kon Tum",
        ["064"] = "Gia Lai", ["066"] = "Đắk Lắk", ["067"] = "Đắk Nông", ["068"] = "Lâm Đồng", ["070"] = "Bình Phước",
        ["072"] = "Tây Ninh", ["074"] = "Bình Dương", ["075"] = "Đồng Nai", ["077"] = "Bà Rịa–Vũng Tàu", ["079"] = "TP Hồ Chí Minh",
        ["080"] = "Long An", ["082"] = "Tiền Giang", ["083"] = "Bến Tre", ["084"] = "Trà Vinh", ["086"] = "Vĩnh Long",
        ["087"] = "Đồng Tháp", ["089"] = "An Giang", ["091"] = "Kiên Giang", ["092"] = "Cần Thơ", ["093"] = "Hậu Giang",
        ["094"] = "Sóc Trăng", ["095"] = "Bạc Liêu", ["096"] = "Cà Mau",
    };

    public static PersonSex? SexFromText(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "nam" or "m" or "male" => PersonSex.Male,
        "nữ" or "nu" or "f" or "female" => PersonSex.Female,
        _ => null,
    };

    /// <summary>Returns every problem found; empty when the number is consistent with the date of birth and sex.</summary>
    public static IReadOnlyList<IdNumberProblem> Check(string id, DateOnly? dateOfBirth, PersonSex? sex)
    {
        if (id.Length != 12 || !id.All(char.IsAsciiDigit)) return [IdNumberProblem.NotTwelveDigits];
        var problems = new List<IdNumberProblem>();
        if (!Provinces.ContainsKey(id[..3])) problems.Add(IdNumberProblem.UnknownProvince);
        var g = id[3] - '0';
        var century = 1900 + g / 2 * 100;
        var isFemale = g % 2 == 1;
        var year = century + (id[4] - '0') * 10 + (id[5] - '0');
        if (dateOfBirth is { } dob)
        {
            if (dob.Year / 100 * 100 != century) problems.Add(IdNumberProblem.CenturyDoesNotMatchBirthYear);
            else if (dob.Year != year) problems.Add(IdNumberProblem.YearDoesNotMatchBirthYear);
        }
        if (sex is { } s && (s == PersonSex.Female) != isFemale) problems.Add(IdNumberProblem.SexDoesNotMatch);
        return problems;
    }

    /// <summary>Masks all but the first and last three digits: 001099012345 → 001******345.</summary>
    public static string Mask(string id) =>
        id.Length <= 6 ? new string('*', id.Length) : id[..3] + new string('*', id.Length - 6) + id[^3..];
}
