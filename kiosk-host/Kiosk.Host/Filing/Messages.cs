using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace Kiosk.Host.Filing;

/// <summary>
/// Every text the resident reads lives in one resource file per language, <c>wwwroot/i18n/vi.json</c> and <c>en.json</c>
/// (flat key → text, "{n}" for a number). The page loads the same files, so the server and the page share one set of keys:
/// the server answers a key and the texts taken from here; the page shows the text of that key in the chosen language.
/// </summary>
public static class Messages
{
    public static readonly IReadOnlyList<string> Languages = ["vi", "en"];

    /// <summary>The folder the host serves the page from (HostApp: the output folder's wwwroot).</summary>
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot", "i18n");

    private static readonly Lazy<FrozenDictionary<string, FrozenDictionary<string, string>>> Catalogs = new(() =>
        Languages.ToFrozenDictionary(lang => lang, Load));

    public static IReadOnlyDictionary<string, string> Catalog(string language) =>
        Catalogs.Value.TryGetValue(language, out var c) ? c : Catalogs.Value["vi"];

    /// <summary>The text of <paramref name="key"/> in the language (Vietnamese when missing there, the key itself as a last resort).</summary>
    public static string Text(string language, string key, int? n = null)
    {
        if (!Catalog(language).TryGetValue(key, out var text) && !Catalog("vi").TryGetValue(key, out text)) text = key;
        return n is { } value ? text.Replace("{n}", value.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) : text;
    }

    public static FrozenDictionary<string, string> Load(string language)
    {
        var path = Path.Combine(Folder, language + ".json");
        if (!File.Exists(path)) return FrozenDictionary<string, string>.Empty;
        using var stream = File.OpenRead(path);
        return (JsonSerializer.Deserialize<Dictionary<string, string>>(stream) ?? []).ToFrozenDictionary();
    }
}
