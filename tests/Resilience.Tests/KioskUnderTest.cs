using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.DemoLauncher;

namespace Resilience.Tests;

/// <summary>One whole kiosk as processes on free ports and a temporary folder, with the calls the crash test needs.</summary>
public sealed class KioskUnderTest : IAsyncDisposable
{
    public KioskPorts Ports { get; } = KioskPorts.Free();
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "kiosk-crash-" + Guid.NewGuid().ToString("N")[..8]);
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(15) };
    public KioskProcesses Processes { get; }

    public KioskUnderTest() => Processes = new KioskProcesses(DataFolder, Ports);

    public async Task StartAsync()
    {
        await Processes.StartAllAsync();
        await WaitForFirmwareAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Until the host sees the firmware and its reader through the broker.</summary>
    public Task WaitForFirmwareAsync(TimeSpan timeout) => WaitUntilAsync(async () =>
    {
        var c = (await GetJsonAsync(Ports.HostUrl + "/api/status")).GetProperty("components");
        return c.GetProperty("firmware").GetString() == "online" && c.GetProperty("reader").GetString() == "ok";
    }, timeout, "the firmware to be online");

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<HttpResponseMessage> PostAsync(string url, object body) => await Http.PostAsJsonAsync(url, body);

    public async Task PutPortalFaultsAsync(object settings)
    {
        using var response = await Http.PutAsJsonAsync(Ports.PortalUrl + "/api/faults", settings);
        response.EnsureSuccessStatusCode();
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
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or KeyNotFoundException or InvalidOperationException or JsonException)
            {
                last = e;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}" + (last == null ? "" : $" (last error: {last.Message})"));
    }

    /// <summary>The last lines of every component's log, for a failure message.</summary>
    public string Logs(int lines = 40)
    {
        if (!Directory.Exists(Processes.LogFolder)) return "(no logs)";
        return string.Join("\n", Directory.GetFiles(Processes.LogFolder).Select(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return $"--- {Path.GetFileName(file)}\n" + string.Join("\n", new StreamReader(stream).ReadToEnd().Split('\n').TakeLast(lines));
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await Processes.StopAllAsync(TimeSpan.FromSeconds(10));
        Http.Dispose();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { }
    }
}
