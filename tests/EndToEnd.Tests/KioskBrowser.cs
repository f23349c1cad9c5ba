using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace EndToEnd.Tests;

/// <summary>Debian's Chromium as the kiosk runs it, screenshots, and the accessibility check every screen passes.</summary>
public static class KioskBrowser
{
    public static readonly string ScreenshotFolder = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // This machine has no network beyond loopback: keep Chromium from calling home at start.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });

    public static async Task SaveScreenshotAsync(IPage page, string fileName)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, fileName + ".png"), FullPage = true });
    }

    /// <summary>Screenshot into screenshots/ and no serious or critical axe-core violation.</summary>
    public static async Task CheckScreenAsync(IPage page, string fileName)
    {
        await SaveScreenshotAsync(page, fileName);
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{fileName}: " + string.Join("; ", bad.Select(v => $"{v.Id} ({v.Impact}): " +
            string.Join(", ", v.Nodes.Take(3).Select(n => n.Html)))));
    }
}

/// <summary>One Chromium for a test class (xUnit class fixture): started once, closed after the class.</summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium is not started");

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await KioskBrowser.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
