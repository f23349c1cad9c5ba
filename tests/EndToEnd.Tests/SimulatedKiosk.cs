using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.DemoLauncher;

namespace EndToEnd.Tests;

/// <summary>
/// One whole simulated kiosk for a test class: edge broker, portal simulator, peripheral simulator, virtual MCU and
/// kiosk host, each its own process, on free ports and a temporary data folder.
/// </summary>
public sealed class SimulatedKiosk : IAsyncLifetime
{
    private KioskProcesses? _processes;

    public KioskPorts Ports { get; } = KioskPorts.Free();
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "kiosk-e2e-" + Guid.NewGuid().ToString("N")[..8]);
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public KioskProcesses Processes => _processes ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _processes = new KioskProcesses(DataFolder, Ports);
        try
        {
            await _processes.StartAllAsync();
            // The host answers before the firmware has connected through the broker: wait for the whole chain.
            await WaitUntilAsync(async () =>
            {
                var status = await GetJsonAsync(Ports.HostUrl + "/api/status");
                var components = status.GetProperty("components");
                return components.GetProperty("firmware").GetString() == "online"
                    && components.GetProperty("reader").GetString() == "ok"
                    && components.GetProperty("printer").GetString() == "ok";
            }, TimeSpan.FromSeconds(60), "the firmware to report its peripherals through the broker");
        }
        catch
        {
            Console.WriteLine(Logs());
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_processes != null) await _processes.StopAllAsync(TimeSpan.FromSeconds(10));
        Http.Dispose();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string url, object body) =>
        await Http.PostAsJsonAsync(url, body);

    /// <summary>
    /// Places the simulator's default card: like a real CCCD, it needs the CAN (PACE) and carries DG2, DG14, DG15 and a
    /// signed SOD. <paramref name="accessControl"/> <c>bac</c>: a chip with BAC only, inside the eMRTD application (the MRZ opens it).
    /// </summary>
    public async Task PlaceCardAsync(string profile, string fault = "none", string accessControl = "pace")
    {
        using var response = await PostJsonAsync(Ports.ControlUrl + "/api/card", new { profile, fault, accessControl });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The CAN of a profile: the last 6 digits of its 12-digit ID number (from the simulator's GET /api/profiles).</summary>
    public async Task<string> CanOfAsync(string profile)
    {
        var profiles = await GetJsonAsync(Ports.ControlUrl + "/api/profiles");
        var idNumber = profiles.EnumerateArray().Single(p => p.GetProperty("id").GetString() == profile).GetProperty("idNumber").GetString()!;
        return idNumber[^6..];
    }

    /// <summary>Types the CAN of <paramref name="profile"/> on the page's keypad (by touch) and confirms it.</summary>
    public async Task EnterCanAsync(Microsoft.Playwright.IPage page, string profile)
    {
        foreach (var digit in await CanOfAsync(profile)) await page.ClickAsync($"#can-keypad button[data-digit='{digit}']");
        await page.ClickAsync("#can-ok");
    }

    /// <summary>The newest receipt the virtual printer has printed (waits up to 20 s for one).</summary>
    public async Task<JsonElement> LatestReceiptAsync()
    {
        JsonElement receipts = default;
        await WaitUntilAsync(async () =>
        {
            receipts = await GetJsonAsync(Ports.ControlUrl + "/api/receipts");
            return receipts.GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(20), "a printed receipt");
        return receipts[0];
    }

    public async Task RemoveCardAsync()
    {
        using var response = await Http.DeleteAsync(Ports.ControlUrl + "/api/card");
        response.EnsureSuccessStatusCode();
    }

    public async Task SetPrinterAsync(bool coverOpen, string paper)
    {
        using var response = await PostJsonAsync(Ports.ControlUrl + "/api/printer", new { coverOpen, paper });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The last lines of every component's log, for a failure message.</summary>
    public string Logs()
    {
        if (_processes == null || !Directory.Exists(_processes.LogFolder)) return "(no logs)";
        return string.Join("\n", Directory.GetFiles(_processes.LogFolder).Select(file =>
            $"--- {Path.GetFileName(file)}\n" + string.Join("\n", ReadShared(file).Split('\n').TakeLast(30))));
    }

    /// <summary>The whole log of one component (<c>kiosk-host</c>, <c>portal</c>, …).</summary>
    public string Log(string component) => ReadShared(Path.Combine(Processes.LogFolder, component + ".log"));

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        Exception? last = null;
        while (stopwatch.Elapsed < timeout)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is HttpRequestException or KeyNotFoundException or InvalidOperationException or JsonException)
            {
                last = e;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}" + (last == null ? "" : $" (last error: {last.Message})"));
    }

    /// <summary>Runs kioskctl (built beside the other components) and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunKioskctlAsync(params string[] arguments)
    {
        string dll = Processes.BuiltAssembly("kiosk-host/kioskctl", "kioskctl");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
