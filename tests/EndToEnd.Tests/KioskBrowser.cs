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

    /// <summary>A fresh context (no cookies or storage shared with other tests) with the resident page loaded and ready.</summary>
    public static async Task<IPage> OpenKioskPageAsync(IBrowser browser, string hostUrl, bool fakeClock = false)
    {
        var context = await browser.NewContextAsync(new() { Locale = "vi-VN", ViewportSize = new() { Width = 1280, Height = 1000 } });
        var page = await context.NewPageAsync();
        if (fakeClock) await page.Clock.InstallAsync();
        await page.GotoAsync(hostUrl + "/");
        await page.Locator("body[data-ready=true]").WaitForAsync();
        return page;
    }

    /// <summary>Runs a test's steps on a page: on failure a screenshot and the kiosk's logs are kept; the context is closed.</summary>
    public static async Task RunOnPageAsync(IPage page, Func<string> kioskLogs, Func<Task> steps)
    {
        try { await steps(); }
        catch
        {
            await SaveScreenshotAsync(page, "failure-" + Guid.NewGuid().ToString("N")[..6]);
            Console.WriteLine(kioskLogs());
            throw;
        }
        finally { await page.Context.CloseAsync(); }
    }

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
