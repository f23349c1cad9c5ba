using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kiosk.Host.Places;

public sealed record Ward(int Code, string Name);
public sealed record Province(int Code, string Name, IReadOnlyList<Ward> Wards);

/// <summary>A new (since 1 July 2025) ward suggested for an old address; <c>Whole</c> = the old ward went entirely into it.</summary>
public sealed record WardSuggestion(int ProvinceCode, string ProvinceName, int WardCode, string WardName, bool Whole);

/// <summary>One row of the old-to-new conversion table.</summary>
public sealed record WardConversion(
    int NewProvinceCode, int NewWardCode, string NewWardName, string OldWardName, int OldWardCode, bool Whole,
    string OldDistrict, string OldProvince);

/// <summary>
/// The two-level administrative units in force since 1 July 2025 (<c>Places/data/vn-admin-units-2025.json</c>: 34
/// provinces, 3,321 communes and wards) and the old-to-new conversion table (<c>vn-admin-conversion-2025.csv</c>).
/// </summary>
public sealed class AdminUnits
{
    private readonly Dictionary<int, Province> _byCode;

    public AdminUnits(IReadOnlyList<Province> provinces, IReadOnlyList<WardConversion>? conversions = null)
    {
        Provinces = provinces;
        Conversions = conversions ?? [];
        _byCode = provinces.ToDictionary(p => p.Code);
    }

    public IReadOnlyList<Province> Provinces { get; }
    public IReadOnlyList<WardConversion> Conversions { get; }

    public static string DataFolder => Path.Combine(AppContext.BaseDirectory, "Places", "data");

    public static AdminUnits LoadDefault() => Load(
        Path.Combine(DataFolder, "vn-admin-units-2025.json"), Path.Combine(DataFolder, "vn-admin-conversion-2025.csv"));

    public static AdminUnits Load(string unitsJson, string? conversionCsv)
    {
        using var stream = File.OpenRead(unitsJson);
        var list = JsonSerializer.Deserialize<List<Province>>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
        var conversions = conversionCsv is null ? [] : ParseConversions(File.ReadAllText(conversionCsv, Encoding.UTF8));
        return new AdminUnits(list, conversions);
    }

    public Province? FindProvince(int code) => _byCode.GetValueOrDefault(code);

    /// <summary>Rows like <c>Thành phố Hà Nội (01),Phường Nghĩa Đô,00160,Phường Dịch Vọng Hậu,00167,Nhập một phần,Quận Cầu Giấy (005),Thành phố Hà Nội (01),</c>.</summary>
    public static List<WardConversion> ParseConversions(string csv)
    {
        var rows = new List<WardConversion>();
        foreach (var record in CsvRecords(csv))
        {
            var f = record;
            if (f.Count < 8) continue;
            var newProvince = CodeInParentheses(f[0]);
            if (newProvince is null
                || !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var newWard)
                || !int.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var oldWard)) continue;
            rows.Add(new WardConversion(newProvince.Value, newWard, f[1].Trim(), f[3].Trim(), oldWard,
                f[5].Trim().StartsWith("Nhập toàn bộ", StringComparison.Ordinal), StripCode(f[6]), StripCode(f[7])));
        }
        return rows;
    }

    /// <summary>
    /// The new ward(s) for an old three-level address such as "Số 12 ngõ 34 Trần Thái Tông, Phường Dịch Vọng Hậu, Quận
    /// Cầu Giấy, Thành phố Hà Nội". Empty when the address names no known old ward. When an old ward was split, every
    /// new ward is returned and the resident chooses.
    /// </summary>
    public IReadOnlyList<WardSuggestion> SuggestForOldAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return [];
        var parts = address.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        // The ward comes before its district and province; prefer parts that say "Phường/Xã/Thị trấn".
        var order = Enumerable.Range(0, parts.Count)
            .OrderBy(i => IsWardPart(parts[i]) ? 0 : 1).ThenBy(i => i).ToList();
        foreach (var i in order)
        {
            var wardKey = Key(StripType(parts[i]));
            if (wardKey.Length == 0) continue;
            var candidates = Conversions.Where(c => Key(StripType(c.OldWardName)) == wardKey).ToList();
            if (candidates.Count == 0) continue;
            // The district and province named after the ward must agree when the address has them.
            var rest = parts.Skip(i + 1).Select(p => Key(StripType(p))).ToList();
            if (rest.Count > 0)
            {
                candidates = candidates.Where(c => rest.Contains(Key(StripType(c.OldDistrict))) || rest.Contains(Key(StripType(c.OldProvince)))).ToList();
                var byBoth = candidates.Where(c => rest.Contains(Key(StripType(c.OldDistrict))) && rest.Contains(Key(StripType(c.OldProvince)))).ToList();
                if (byBoth.Count > 0) candidates = byBoth;
                if (candidates.Count == 0) continue;
            }
            var suggestions = new List<WardSuggestion>();
            foreach (var c in candidates)
            {
                if (suggestions.Any(s => s.WardCode == c.NewWardCode)) continue;
                var province = FindProvince(c.NewProvinceCode);
                var ward = province?.Wards.FirstOrDefault(w => w.Code == c.NewWardCode);
                if (province is null || ward is null) continue;
                suggestions.Add(new WardSuggestion(province.Code, province.Name, ward.Code, ward.Name, c.Whole));
            }
            if (suggestions.Count > 0) return suggestions;
        }
        return [];
    }

    private static readonly string[] TypePrefixes =
    [
        "thành phố trung ương", "thành phố", "tỉnh", "thị xã", "thị trấn", "quận", "huyện", "phường", "xã", "đặc khu", "tp.", "tp",
    ];

    private static bool IsWardPart(string text)
    {
        var t = text.Trim();
        return t.StartsWith("phường ", StringComparison.OrdinalIgnoreCase) || t.StartsWith("xã ", StringComparison.OrdinalIgnoreCase)
            || t.StartsWith("thị trấn ", StringComparison.OrdinalIgnoreCase);
    }

    private static string StripType(string text)
    {
        var t = text.Trim();
        foreach (var prefix in TypePrefixes)
            if (t.StartsWith(prefix + " ", StringComparison.OrdinalIgnoreCase))
                return t[(prefix.Length + 1)..].Trim();
        return t;
    }

    /// <summary>Lower case, no diacritics, single spaces: "Hòa" and "Hoà" (old and new tone placement) compare equal.</summary>
    public static string Key(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            var c = char.ToLowerInvariant(ch == 'Đ' || ch == 'đ' ? 'd' : ch);
            if (char.IsWhiteSpace(c)) { if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' '); }
            else sb.Append(c);
        }
        return sb.ToString().Trim();
    }

    private static int? CodeInParentheses(string text)
    {
        var open = text.LastIndexOf('(');
        var close = text.LastIndexOf(')');
        return open >= 0 && close > open && int.TryParse(text.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? code : null;
    }

    private static string StripCode(string text)
    {
        var open = text.LastIndexOf('(');
        return (open > 0 ? text[..open] : text).Trim();
    }

    /// <summary>RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks.</summary>
    private static IEnumerable<List<string>> CsvRecords(string csv)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c == '\n' || c == '\r' ? ' ' : c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else if (c == '\n')
            {
                fields.Add(sb.ToString());
                sb.Clear();
                yield return fields;
                fields = [];
            }
            else if (c != '\r') sb.Append(c);
        }
        if (sb.Length > 0 || fields.Count > 0)
        {
            fields.Add(sb.ToString());
            yield return fields;
        }
    }
}
