using System.Reflection;

namespace Kiosk.Simulators.Portal.Control;

/// <summary>
/// The control page at <c>GET /</c> (Control/control-page.html, embedded): received dossiers, fault settings and
/// status changes through the same HTTP API tests use. Self-contained: no CDN, no external fonts or scripts.
/// </summary>
public static class ControlPage
{
    public static readonly string Html = Load();

    private static string Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("portal-control-page.html")
            ?? throw new InvalidOperationException("control-page.html is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static void Map(WebApplication app) =>
        app.MapGet("/", () => Results.Content(Html, "text/html; charset=utf-8"));
}
