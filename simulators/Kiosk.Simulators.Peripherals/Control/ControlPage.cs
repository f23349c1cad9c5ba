using System.Reflection;

namespace Kiosk.Simulators.Peripherals.Control;

/// <summary>The self-contained control page (Control/control-page.html, embedded): no CDN, no external fonts or scripts.</summary>
public static class ControlPage
{
    public static readonly string Html = Load();

    private static string Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("control-page.html")
            ?? throw new InvalidOperationException("control-page.html is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
