using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Kiosk.Host.Filing;

/// <summary>
/// The residents' page (<c>/</c>, <c>/index.html</c>) with the Vietnamese resource file inlined as
/// <c>&lt;script type="application/json" id="i18n-vi"&gt;</c>, so the page paints its texts without first fetching
/// <c>i18n/vi.json</c>. Built once from <c>wwwroot/index.html</c> and <c>wwwroot/i18n/vi.json</c> (still the single source
/// of the texts) and kept in memory; the host's middleware adds <c>Cache-Control: no-store</c> as for every response.
/// </summary>
public static class ResidentPage
{
    public const string Marker = "</head>";

    // Non-ASCII stays readable (UTF-8); <, >, & and ' are still escaped, so the JSON cannot close the script element.
    private static readonly JsonSerializerOptions Inline = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>The page with the texts inlined (the page unchanged if it has no <c>&lt;/head&gt;</c>).</summary>
    public static string Build(string html, IReadOnlyDictionary<string, string> vietnamese)
    {
        var at = html.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0) return html;
        var block = "<script type=\"application/json\" id=\"i18n-vi\">" + JsonSerializer.Serialize(vietnamese, Inline) + "</script>\n";
        return string.Concat(html.AsSpan(0, at), block, html.AsSpan(at));
    }

    public static void Map(WebApplication app)
    {
        var root = app.Environment.WebRootPath;
        var index = Path.Combine(root, "index.html");
        if (!File.Exists(index)) return; // no page to serve (the static-files middleware answers as before)
        var vi = Path.Combine(root, "i18n", "vi.json");
        var texts = File.Exists(vi)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(vi)) ?? []
            : new Dictionary<string, string>(Messages.Catalog("vi"));
        // Once, at start-up.
        var page = System.Text.Encoding.UTF8.GetBytes(Build(File.ReadAllText(index), texts));

        // Endpoints are matched before the default-files and static-files middleware, which skip a request that has one.
        app.MapMethods("/", ["GET", "HEAD"], () => Results.Bytes(page, "text/html; charset=utf-8"));
        app.MapMethods("/index.html", ["GET", "HEAD"], () => Results.Bytes(page, "text/html; charset=utf-8"));
    }
}
