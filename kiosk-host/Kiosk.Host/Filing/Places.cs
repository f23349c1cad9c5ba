using System.Text.Json;

namespace Kiosk.Host.Filing;

public sealed record Ward(int Code, string Name);
public sealed record Province(int Code, string Name, IReadOnlyList<Ward> Wards);

/// <summary>
/// Provinces and wards offered in the form (2025 two-level units). The foundation ships a small extract
/// (<c>Data/places.json</c>: Hà Nội, Đà Nẵng, TP Hồ Chí Minh); a later issue loads the full national list.
/// </summary>
public sealed class Places(IReadOnlyList<Province> provinces)
{
    public IReadOnlyList<Province> Provinces { get; } = provinces;

    public static Places Load(string path)
    {
        using var stream = File.OpenRead(path);
        var list = JsonSerializer.Deserialize<List<Province>>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
        return new Places(list);
    }

    public static Places LoadDefault() => Load(Path.Combine(AppContext.BaseDirectory, "Data", "places.json"));

    public Province? FindProvince(int code) => Provinces.FirstOrDefault(p => p.Code == code);
}
