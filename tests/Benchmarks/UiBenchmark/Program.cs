using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.DemoLauncher;
using Microsoft.Playwright;

namespace Kiosk.Benchmarks.Ui;

/// <summary>
/// Starts a whole simulated kiosk (every component as a process, free ports) and drives the residents' page in headless
/// Chromium through every screen, several runs. Each screen is measured twice:
/// <list type="bullet">
/// <item>as a page load (Navigation and Paint Timing): the page reloaded while the session is on that screen, interactive
/// = max(first contentful paint, DOMContentLoaded end, the page's own "kiosk:ready" mark) from navigation start;</item>
/// <item>in the page (the measures app.js records around each step change): "kiosk:screen:&lt;step&gt;" from the touch or
/// device event to the first frame showing the screen.</item>
/// </list>
/// The baseline, measured in the same run the same way, is an empty static page served by the same host
/// (<c>/baseline.html</c>). Prints medians and p95 per screen, the ratio to the baseline, the load average, and the
/// script bytes of each page against 200 KB.
/// </summary>
public static class Program
{
    private const double TargetMs = 300;
    private const long ScriptBudgetBytes = 200 * 1024;
    private const string Baseline = "baseline: empty static page";

    private static readonly (string Service, string Profile)[] ServicesToFile =
    [
        ("thong-bao-luu-tru", "nguyen-van-an"), ("dang-ky-tam-tru", "nguyen-van-an"), ("dang-ky-thuong-tru", "tran-thi-mai"),
        ("xac-nhan-cmnd", "le-hoang-nam"), ("ho-tro-vneid", "tran-thi-mai"),
    ];

    private sealed class Figures
    {
        public List<double> InPage { get; } = [];
        public List<double> Load { get; } = [];
        public List<double> LoadFcp { get; } = [];
    }

    private static readonly Dictionary<string, Figures> Screens = new();
    private static readonly Dictionary<string, (double Transfer, double Decoded, int Files)> Scripts = new();
    private static readonly List<string> LoadAverages = [];
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<int> Main(string[] args)
    {
        int runs = 5;
        for (int i = 0; i < args.Length - 1; i++)
            if (args[i] == "--runs") runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);

        var ports = KioskPorts.Free();
        var data = Path.Combine(Path.GetTempPath(), "kiosk-uibench-" + Guid.NewGuid().ToString("N")[..8]);
        await using var kiosk = new KioskProcesses(data, ports);
        try
        {
            Console.WriteLine($"Starting a simulated kiosk (host {ports.HostUrl}) …");
            await kiosk.StartAllAsync();
            await WaitUntilAsync(async () =>
            {
                var c = (await GetJsonAsync(ports.HostUrl + "/api/status")).GetProperty("components");
                return c.GetProperty("firmware").GetString() == "online" && c.GetProperty("reader").GetString() == "ok"
                    && c.GetProperty("printer").GetString() == "ok";
            }, TimeSpan.FromSeconds(90), "the firmware to report its peripherals");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                // The same flags as the end-to-end tests: no network beyond loopback, nothing calling home.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync"],
            });

            // One warm-up pass (JIT of the host, Chromium's first start) that is not counted.
            Console.WriteLine("Warm-up …");
            await OneRunAsync(browser, ports, record: false);
            for (int run = 1; run <= runs; run++)
            {
                LoadAverages.Add(LoadAverage());
                Console.WriteLine($"Run {run}/{runs} (load average {LoadAverages[^1]}) …");
                await OneRunAsync(browser, ports, record: true);
            }
            LoadAverages.Add(LoadAverage());
        }
        catch
        {
            Console.Error.WriteLine(Logs(kiosk));
            throw;
        }
        finally
        {
            await kiosk.StopAllAsync(TimeSpan.FromSeconds(10));
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
        return Report(runs);
    }

    private static async Task OneRunAsync(IBrowser browser, KioskPorts ports, bool record)
    {
        await PageLoadAsync(browser, ports.HostUrl + "/baseline.html", Baseline, ready: false, record);
        await PageLoadAsync(browser, ports.HostUrl + "/", "chooser", ready: true, record);
        await PageLoadAsync(browser, ports.HostUrl + "/maintenance", "maintenance console", ready: true, record);
        await FileAllAsync(browser, ports, record);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // ---------- page loads: Navigation + Paint Timing ----------

    private const string PageTimingScript = """
        () => {
          const n = performance.getEntriesByType("navigation")[0];
          const fcp = performance.getEntriesByName("first-contentful-paint")[0];
          const ready = performance.getEntriesByName("kiosk:ready")[0];
          const js = performance.getEntriesByType("resource").filter((r) => r.initiatorType === "script" || /\.m?js(\?|$)/.test(r.name));
          return {
            domInteractive: n.domInteractive, domContentLoaded: n.domContentLoadedEventEnd,
            fcp: fcp ? fcp.startTime : 0, ready: ready ? ready.startTime : 0,
            scriptTransfer: js.reduce((a, r) => a + r.transferSize, 0), scriptDecoded: js.reduce((a, r) => a + r.decodedBodySize, 0),
            scriptFiles: js.length
          };
        }
        """;

    private static async Task PageLoadAsync(IBrowser browser, string url, string screen, bool ready, bool record)
    {
        await using var context = await browser.NewContextAsync(new() { Locale = "vi-VN", ViewportSize = new() { Width = 1280, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load });
        var t = await LoadTimingAsync(page, ready, screen, record);
        if (record && ready)
            Scripts[url] = (t.GetProperty("scriptTransfer").GetDouble(), t.GetProperty("scriptDecoded").GetDouble(), t.GetProperty("scriptFiles").GetInt32());
    }

    /// <summary>The page reloaded on the screen it shows (the session lives in the host): that screen as a page load.</summary>
    private static async Task ReloadAsync(IPage page, string step, string screen, bool record)
    {
        await page.ReloadAsync(new() { WaitUntil = WaitUntilState.Load });
        await LoadTimingAsync(page, ready: true, screen, record);
        if (!await page.IsVisibleAsync($"#step-{step}")) throw new InvalidOperationException($"{screen}: the reloaded page does not show #step-{step}");
        await ClearAsync(page);
    }

    private static async Task<JsonElement> LoadTimingAsync(IPage page, bool ready, string screen, bool record)
    {
        if (ready) await page.Locator("body[data-ready=true]").WaitForAsync(new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('first-contentful-paint').length > 0", null, new() { Timeout = 10_000 });
        var t = await page.EvaluateAsync<JsonElement>(PageTimingScript);
        double fcp = t.GetProperty("fcp").GetDouble(), mark = t.GetProperty("ready").GetDouble();
        double domContentLoaded = t.GetProperty("domContentLoaded").GetDouble();
        // Interactive: painted, the DOM handlers attached and the page's own start-up (texts, catalogue, session) done.
        double interactive = Math.Max(fcp, Math.Max(domContentLoaded, mark));
        if (record)
        {
            var f = FiguresOf(screen);
            f.Load.Add(interactive);
            f.LoadFcp.Add(fcp);
        }
        return t;
    }

    // ---------- every screen of the page: in the page, then as a page load ----------

    private static async Task FileAllAsync(IBrowser browser, KioskPorts ports, bool record)
    {
        await using var context = await browser.NewContextAsync(new() { Locale = "vi-VN", ViewportSize = new() { Width = 1280, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(ports.HostUrl + "/");
        await page.Locator("body[data-ready=true]").WaitForAsync(new() { Timeout = 30_000 });
        await ClearAsync(page);

        await page.ClickAsync("#btn-lookup");
        await StepAsync(page, "lookup", "lookup", record);
        await page.FillAsync("#lookupCode", "LT-20000101-999999");
        await page.ClickAsync("#lookup-form button[type=submit]");
        await StepAsync(page, "lookup-result", "lookup answer (this kiosk, then the portal)", record);
        await page.ClickAsync("#step-lookup .btn-home");
        await StepAsync(page, "idle", "chooser", record);

        foreach (var (service, profile) in ServicesToFile)
        {
            await page.ClickAsync($"button[data-service='{service}']");
            await StepAsync(page, "consent", service + " consent", record, reload: true);
            await page.ClickAsync("#btn-consent");
            // The CAN comes first (the card, like a real CCCD, needs PACE), typed on the page's keypad.
            await StepAsync(page, "can", service + " CAN keypad", record, reload: true);
            foreach (var digit in await CanOfAsync(ports, profile)) await page.ClickAsync($"#can-keypad button[data-digit='{digit}']");
            await page.ClickAsync("#can-ok");
            await StepAsync(page, "waitingCard", service + " waiting for card", record, reload: true);
            await PlaceCardAsync(ports, profile);
            await StepAsync(page, "fingerprint", service + " fingerprint consent", record, timeoutMs: 30_000, reload: true);
            await page.ClickAsync("#btn-fp-decline");
            await StepAsync(page, "form", service + " form", record, reload: true);
            if (await FillFormAsync(page, service))
            {
                await page.ClickAsync("#btn-submit");
                await StepAsync(page, "done", service + " done", record, timeoutMs: 60_000, reload: true);
                await page.ClickAsync("#step-done .btn-end");
            }
            else
            {
                await page.ClickAsync("#step-form .btn-end");
            }
            await StepAsync(page, "idle", "chooser", record);
            await RemoveCardAsync(ports);
        }
    }

    /// <summary>Fills a valid form; false when the service has nothing to file for this card (old ID number on the chip).</summary>
    private static async Task<bool> FillFormAsync(IPage page, string service)
    {
        string today = DateTime.Now.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        switch (service)
        {
            case "thong-bao-luu-tru":
                await page.FillAsync("#addressLine", "Số 5 ngõ 10 Nguyễn Khánh Toàn");
                await page.SelectOptionAsync("#provinceCode", "1");
                await page.SelectOptionAsync("#wardCode", "4");
                await page.FillAsync("#fromDate", today);
                await page.FillAsync("#toDate", DateTime.Now.AddDays(3).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture));
                await page.FillAsync("#reason", "Thăm người thân");
                return true;
            case "dang-ky-tam-tru":
                await page.FillAsync("#phone", "0912345678");
                await page.SelectOptionAsync("#relationshipToHead", "chu-ho");
                await page.FillAsync("#addressLine", "Số 5 ngõ 10 Nguyễn Khánh Toàn");
                await page.SelectOptionAsync("#provinceCode", "1");
                await page.SelectOptionAsync("#wardCode", "160");
                await page.FillAsync("#fromDate", today);
                await page.FillAsync("#toDate", DateTime.Now.AddMonths(6).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture));
                await page.CheckAsync("#proofDocument-hop-dong-thue-muon");
                return true;
            case "dang-ky-thuong-tru":
                await page.FillAsync("#phone", "0987654321");
                await page.SelectOptionAsync("#relationshipToHead", "vo");
                await page.FillAsync("#householdHeadName", "Phạm Văn Long");
                await page.FillAsync("#householdHeadIdNumber", "079090001234");
                await page.FillAsync("#addressLine", "Số 45 Nguyễn Thị Minh Khai");
                await page.SelectOptionAsync("#provinceCode", "79");
                await page.SelectOptionAsync("#wardCode", new SelectOptionValue { Label = "Phường Bến Thành" });
                await page.CheckAsync("#condition-quan-he");
                await page.CheckAsync("#proofDocuments-giay-chung-nhan");
                await page.CheckAsync("#proofDocuments-giay-to-quan-he");
                await page.CheckAsync("#ownerConsent");
                return true;
            case "xac-nhan-cmnd":
                if (!await page.IsVisibleAsync("#btn-submit")) return false;
                await page.FillAsync("#phone", "0905123456");
                await page.FillAsync("#oldIdNumber", "201234567");
                return true;
            default:
                await page.CheckAsync("#level1");
                await page.FillAsync("#email", "mai@example.com");
                return true;
        }
    }

    /// <summary>
    /// Waits for the step's screen and the measures the page records for it (one frame after it is shown); with
    /// <paramref name="reload"/>, then measures the same screen as a page load.
    /// </summary>
    private static async Task StepAsync(IPage page, string step, string label, bool record, int timeoutMs = 15_000, bool reload = false)
    {
        if (step != "lookup-result") await page.Locator($"#step-{step}").WaitForAsync(new() { Timeout = timeoutMs });
        await page.WaitForFunctionAsync("s => performance.getEntriesByName('kiosk:screen:' + s).length > 0", step, new() { Timeout = timeoutMs });
        var inPage = await page.EvaluateAsync<double>("""
            s => {
              const a = performance.getEntriesByName("kiosk:screen:" + s);
              performance.clearMeasures();
              return a[a.length - 1].duration;
            }
            """, step);
        if (record) FiguresOf(label).InPage.Add(inPage);
        if (reload) await ReloadAsync(page, step, label, record);
    }

    private static Task ClearAsync(IPage page) => page.EvaluateAsync("() => performance.clearMeasures()");

    private static Figures FiguresOf(string screen)
    {
        if (!Screens.TryGetValue(screen, out var f)) Screens[screen] = f = new Figures();
        return f;
    }

    // ---------- the report ----------

    private static int Report(int runs)
    {
        double baseline = Percentile(Screens[Baseline].Load, 50);
        Console.WriteLine();
        Console.WriteLine($"Time to interactive per screen, {runs} runs, in ms (target {TargetMs:0} ms at p95).");
        Console.WriteLine("page load: the page (re)loaded on that screen; Navigation + Paint Timing, max(FCP, DOMContentLoaded end, kiosk:ready)");
        Console.WriteLine("           from navigation start; FCP = first contentful paint.");
        Console.WriteLine("in page:   the page's own measure from the touch or device event to the first frame showing the screen.");
        Console.WriteLine($"x base:    page-load median / the baseline's ({Baseline}, /baseline.html, same host, same run: {baseline:0.0} ms).");
        Console.WriteLine();
        string header = $"{"screen",-44} {"n",3} | {"load med",8} {"p95",7} {"FCP med",7} {"x base",6} | {"n",3} {"in page",7} {"p95",7} | {"target",6}";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        int over = 0;
        foreach (var (screen, f) in Screens)
        {
            static string Med(List<double> v) => v.Count == 0 ? "-" : Percentile(v, 50).ToString("0.0", CultureInfo.InvariantCulture);
            static string P95(List<double> v) => v.Count == 0 ? "-" : Percentile(v, 95).ToString("0.0", CultureInfo.InvariantCulture);
            string ratio = f.Load.Count == 0 ? "-" : (Percentile(f.Load, 50) / baseline).ToString("0.00", CultureInfo.InvariantCulture);
            bool ok = (f.Load.Count == 0 || Percentile(f.Load, 95) <= TargetMs) && (f.InPage.Count == 0 || Percentile(f.InPage, 95) <= TargetMs);
            if (!ok) over++;
            Console.WriteLine($"{screen,-44} {f.Load.Count,3} | {Med(f.Load),8} {P95(f.Load),7} {Med(f.LoadFcp),7} {ratio,6} | {f.InPage.Count,3} {Med(f.InPage),7} {P95(f.InPage),7} | {(ok ? "ok" : "OVER"),6}");
        }
        Console.WriteLine("In page, the screens after the card read and after filing start at the host's session event / answer (the reading");
        Console.WriteLine("and the filing themselves are the host's and the devices' time, shown on the \"reading\" and \"submitting\" screens).");
        Console.WriteLine($"Load average (1, 5, 15 min) at each run's start and at the end: {string.Join(" | ", LoadAverages)} on {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine($"{"page",-40} {"files",5} {"transfer",10} {"decoded",10} {"budget",7}");
        foreach (var (url, s) in Scripts)
        {
            string verdict = Math.Max(s.Transfer, s.Decoded) <= ScriptBudgetBytes ? "ok" : "OVER";
            if (verdict == "OVER") over++;
            Console.WriteLine($"{new Uri(url).AbsolutePath,-40} {s.Files,5} {s.Transfer / 1024,8:0.0}KB {s.Decoded / 1024,8:0.0}KB {verdict,7}");
        }
        Console.WriteLine($"Script budget {ScriptBudgetBytes / 1024} KB per page (Resource Timing: transferSize and decodedBodySize of every script).");
        // One line per figure in the format ./kiosk bench collects.
        double worstP95 = Screens.Values.SelectMany(f => new[] { f.Load, f.InPage }).Where(v => v.Count > 0).Max(v => Percentile(v, 95));
        double largestScript = Scripts.Values.Max(s => Math.Max(s.Transfer, s.Decoded)) / 1024.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: residents' UI | slowest screen p95 (ms) | {worstP95:0.0} | <= {TargetMs:0} | {(worstP95 <= TargetMs ? "met" : "NOT met")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: residents' UI | largest script per page (KB) | {largestScript:0.0} | <= {ScriptBudgetBytes / 1024} | {(largestScript <= ScriptBudgetBytes / 1024.0 ? "met" : "NOT met")}"));
        return over == 0 ? 0 : 1;
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    // ---------- the simulated kiosk ----------

    private static async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> CanOfAsync(KioskPorts ports, string profile)
    {
        var profiles = await GetJsonAsync(ports.ControlUrl + "/api/profiles");
        var idNumber = profiles.EnumerateArray().Single(p => p.GetProperty("id").GetString() == profile).GetProperty("idNumber").GetString()!;
        return idNumber[^6..];
    }

    private static async Task PlaceCardAsync(KioskPorts ports, string profile)
    {
        using var response = await Http.PostAsJsonAsync(ports.ControlUrl + "/api/card", new { profile });
        response.EnsureSuccessStatusCode();
    }

    private static async Task RemoveCardAsync(KioskPorts ports)
    {
        using (var response = await Http.DeleteAsync(ports.ControlUrl + "/api/card")) response.EnsureSuccessStatusCode();
        await WaitUntilAsync(async () => !(await GetJsonAsync(ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the host to see the card removed");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is HttpRequestException or KeyNotFoundException or InvalidOperationException or JsonException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}");
    }

    private static string Logs(KioskProcesses kiosk)
    {
        if (!Directory.Exists(kiosk.LogFolder)) return "(no logs)";
        return string.Join("\n", Directory.GetFiles(kiosk.LogFolder).Select(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return $"--- {Path.GetFileName(file)}\n" + string.Join("\n", new StreamReader(stream).ReadToEnd().Split('\n').TakeLast(20));
        }));
    }
}
