using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;

namespace Kiosk.Host.Filing;

/// <summary>
/// The residents' page (<c>/</c>, <c>/index.html</c>) with what its first screen needs inlined, so it paints and becomes
/// interactive without a round trip first: the Vietnamese texts written into every <c>data-i18n</c> element (the page
/// paints before any script runs), the style sheet as <c>&lt;style&gt;</c>, the Vietnamese resource file as
/// <c>&lt;script type="application/json" id="i18n-vi"&gt;</c> and the start-up data (service catalogue, the 34
/// provinces) as <c>id="kiosk-start"</c>. Built once
/// at start-up from <c>wwwroot/index.html</c>, <c>wwwroot/i18n/vi.json</c> (still the single source of the texts) and the
/// host's catalogue, kept in memory with its ETag. Nothing in it is personal: the session (which can hold personal data)
/// is always fetched from <c>/api/session</c>, and the host's middleware still adds <c>Cache-Control: no-store</c>.
/// Wards are not inlined (3,321 of them): the page asks <c>/api/places/{code}/wards</c> for one province when needed.
/// </summary>
public static partial class ResidentPage
{
    public const string Marker = "</head>";

    // Non-ASCII stays readable (UTF-8); <, >, & and ' are still escaped, so the JSON cannot close the script element.
    private static readonly HtmlEncoder Text = HtmlEncoder.Create(UnicodeRanges.All);
    private static readonly JsonSerializerOptions Inline = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>
    /// The page with the texts inlined and written into its elements; when given, the start-up data and the style sheet
    /// (replacing <c>&lt;link rel="stylesheet" href="app.css"&gt;</c>). The page unchanged if it has no <c>&lt;/head&gt;</c>.
    /// </summary>
    public static string Build(string html, IReadOnlyDictionary<string, string> vietnamese, object? startData = null, string? css = null)
    {
        var at = html.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0) return html;
        var block = "<script type=\"application/json\" id=\"i18n-vi\">" + JsonSerializer.Serialize(vietnamese, Inline) + "</script>\n";
        if (startData is not null)
            block += "<script type=\"application/json\" id=\"kiosk-start\">" + JsonSerializer.Serialize(startData, Inline) + "</script>\n";
        var page = string.Concat(html.AsSpan(0, at), block, html.AsSpan(at));
        if (css is not null && !css.Contains("</", StringComparison.Ordinal))
            page = page.Replace(StyleSheetLink, "<style>\n" + css + "</style>", StringComparison.Ordinal);
        return WriteTexts(page, vietnamese);
    }

    public const string StyleSheetLink = "<link rel=\"stylesheet\" href=\"app.css\">";

    // An element whose text is a resource key: <tag … data-i18n="key" …>text</tag>, the text without markup.
    [GeneratedRegex("""(?<open><(?<tag>[a-z0-9]+)\b[^>]*\sdata-i18n="(?<key>[^"]+)"[^>]*>)[^<]*(?<close></\k<tag>>)""")]
    private static partial Regex TextElement();

    /// <summary>Each <c>data-i18n</c> element gets its Vietnamese text (HTML-encoded), as app.js would write it.</summary>
    public static string WriteTexts(string html, IReadOnlyDictionary<string, string> vietnamese) =>
        TextElement().Replace(html, m => vietnamese.TryGetValue(m.Groups["key"].Value, out var text)
            ? m.Groups["open"].Value + Text.Encode(text) + m.Groups["close"].Value
            : m.Value);

    /// <summary>The service catalogue of <c>GET /api/services</c>, also inlined in the page.</summary>
    public static object ServiceCatalogue(HostOptions options) => new
    {
        idleSeconds = options.IdleSeconds,
        services = Services.All,
        proofDocuments = ProofDocuments.LawfulResidence.Keys,
        permanentDocuments = ProofDocuments.Permanent.Keys,
        permanentConditions = ProofDocuments.PermanentConditions.Keys,
        relationships = ProofDocuments.Relationships,
    };

    /// <summary>What the page needs before its first screen: the catalogue and the provinces (no wards, nothing personal).</summary>
    public static object StartData(HostOptions options, Places.AdminUnits units) => new
    {
        catalogue = ServiceCatalogue(options),
        provinces = units.Provinces.Select(p => new { code = p.Code, name = p.Name, wardCount = p.Wards.Count }),
    };

    public static void Map(WebApplication app)
    {
        var root = app.Environment.WebRootPath;
        var index = Path.Combine(root, "index.html");
        if (!File.Exists(index)) return; // no page to serve (the static-files middleware answers as before)
        var vi = Path.Combine(root, "i18n", "vi.json");
        var texts = File.Exists(vi)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(vi)) ?? []
            : new Dictionary<string, string>(Messages.Catalog("vi"));
        var start = StartData(app.Services.GetRequiredService<HostOptions>(), app.Services.GetRequiredService<Places.AdminUnits>());
        // Once, at start-up.
        var css = Path.Combine(root, "app.css");
        var page = System.Text.Encoding.UTF8.GetBytes(Build(File.ReadAllText(index), texts, start, File.Exists(css) ? File.ReadAllText(css) : null));
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexString(SHA256.HashData(page).AsSpan(0, 16)).ToLowerInvariant() + "\"");

        // Endpoints are matched before the default-files and static-files middleware, which skip a request that has one.
        // With the ETag, a conditional request gets 304 (the no-store header still keeps browsers from storing it).
        app.MapMethods("/", ["GET", "HEAD"], () => Results.Bytes(page, "text/html; charset=utf-8", entityTag: etag));
        app.MapMethods("/index.html", ["GET", "HEAD"], () => Results.Bytes(page, "text/html; charset=utf-8", entityTag: etag));
    }
}
