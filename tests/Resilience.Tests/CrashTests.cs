using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Resilience.Tests;

/// <summary>
/// The kiosk host is killed with SIGKILL at random (seeded) moments while residents file and while the relay delivers,
/// with the portal injecting faults. Afterwards:
/// <list type="bullet">
/// <item>every dossier the resident saw as saved (the host answered 200 to submit, which it does only after the commit)
///   is at the portal exactly once;</item>
/// <item>"nothing else": every dossier at the portal is a dossier committed in the kiosk store (same idempotency key,
///   same portal code). A dossier committed whose 200 was lost to a kill may be at the portal without the resident having
///   seen it saved: it was saved, the answer just never arrived; it is counted and reported, not an error;</item>
/// <item>nothing is left in the outbox and nothing is dead-lettered.</item>
/// </list>
/// </summary>
public class CrashTests(ITestOutputHelper output)
{
    private const int Kills = 50;
    private const int Seed = 20261126;

    [Fact]
    public async Task Filings_survive_fifty_sigkills_of_the_host_exactly_once()
    {
        var clock = Stopwatch.StartNew();
        await using var kiosk = new KioskUnderTest();
        try
        {
            await kiosk.StartAsync();
            await RunAsync(kiosk, clock);
        }
        catch
        {
            output.WriteLine(kiosk.Logs());
            throw;
        }
    }

    private async Task RunAsync(KioskUnderTest kiosk, Stopwatch clock)
    {
        var host = kiosk.Ports.HostUrl;
        await kiosk.PutPortalFaultsAsync(new
        {
            latencyMs = 10, latencyJitterMs = 60, errorRate = 0.15, status = 503, retryAfterSeconds = 1,
            dropAfterCommitRate = 0.15, duplicateRate = 0.1, timeoutRate = 0.03, holdMs = 2000, seed = Seed,
        });
        var places = await kiosk.GetJsonAsync(host + "/api/places");
        var province = places[0];
        // The ward list is inline in older hosts and under /api/places/{code}/wards in newer ones.
        var wards = province.TryGetProperty("wards", out var inline) ? inline
            : await kiosk.GetJsonAsync($"{host}/api/places/{province.GetProperty("code")}/wards");
        var form = new Dictionary<string, object?>
        {
            ["addressLine"] = "Số 1 Cầu Giấy",
            ["provinceCode"] = province.GetProperty("code"),
            ["wardCode"] = wards[0].GetProperty("code"),
            ["fromDate"] = DateTime.Now.ToString("yyyy-MM-dd"),
            ["toDate"] = DateTime.Now.AddDays(2).ToString("yyyy-MM-dd"),
            ["reason"] = "Thăm người thân",
        };

        var seenSaved = new List<string>();
        var attempts = 0;
        var problems = new Dictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var resident = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                attempts++;
                try
                {
                    if (await FileOneAsync(kiosk, form, stop.Token) is { } reference)
                        lock (seenSaved) seenSaved.Add(reference);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or JsonException or InvalidOperationException
                    or System.Net.Sockets.SocketException)
                {
                    // The host died under us (or is starting): try again shortly. A kill while HttpClient is still
                    // connecting can surface as a bare SocketException (ENOTCONN from the socket's remote end point).
                    var kind = e is InvalidOperationException ? e.Message : e.GetType().Name;
                    lock (problems) problems[kind] = problems.GetValueOrDefault(kind) + 1;
                    try { await Task.Delay(100, stop.Token); } catch (OperationCanceledException) { }
                }
            }
        });

        var random = new Random(Seed);
        for (var kill = 1; kill <= Kills; kill++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(400 + random.Next(2600)));
            await kiosk.Processes.KillAsync("kiosk-host");
            await kiosk.Processes.RestartAsync("kiosk-host");
        }
        output.WriteLine($"{Kills} kills done at {clock.Elapsed.TotalSeconds:0} s");
        foreach (var (kind, count) in problems) output.WriteLine($"  interrupted filings: {count} × {kind}");
        stop.Cancel();
        await resident;

        // Recovery: the portal behaves again, the technician says "sync now", the outbox drains.
        var injected = (await kiosk.GetJsonAsync(kiosk.Ports.PortalUrl + "/api/faults")).GetProperty("counters");
        output.WriteLine($"faults injected during the kills: {injected}");
        Assert.True(injected.GetProperty("errors").GetInt32() > 0 && injected.GetProperty("droppedAfterCommit").GetInt32() > 0, "the portal injected no faults");
        await kiosk.PutPortalFaultsAsync(new { });
        await KioskUnderTest.WaitUntilAsync(async () =>
        {
            using var now = await kiosk.PostAsync(host + "/api/maintenance/sync/now", new { });
            return now.StatusCode == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(30), "the host to accept sync now");
        await KioskUnderTest.WaitUntilAsync(async () =>
        {
            var s = await kiosk.GetJsonAsync(host + "/api/maintenance/sync");
            return s.GetProperty("pending").GetInt32() == 0;
        }, TimeSpan.FromSeconds(90), "the outbox to drain");
        output.WriteLine($"Outbox drained at {clock.Elapsed.TotalSeconds:0} s");

        var sync = await kiosk.GetJsonAsync(host + "/api/maintenance/sync");
        Assert.Equal(0, sync.GetProperty("deadLetter").GetInt32());
        var local = (await kiosk.GetJsonAsync(host + "/api/maintenance/dossiers")).EnumerateArray().ToList();
        var portal = (await kiosk.GetJsonAsync(kiosk.Ports.PortalUrl + "/api/dossiers")).EnumerateArray().ToList();

        var portalByKey = portal.GroupBy(d => d.GetProperty("idempotencyKey").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        var localByKey = local.ToDictionary(d => d.GetProperty("idempotencyKey").GetString()!);

        // Each key once at the portal (the portal's unique index makes this structural; checked anyway).
        Assert.All(portalByKey, p => Assert.Single(p.Value));
        // Every local dossier was delivered, with the code the portal holds for its key.
        Assert.All(local, d =>
        {
            Assert.Equal("delivered", d.GetProperty("state").GetString());
            var atPortal = Assert.Single(portalByKey[d.GetProperty("idempotencyKey").GetString()!]);
            Assert.Equal(atPortal.GetProperty("code").GetString(), d.GetProperty("portalCode").GetString());
        });
        // Nothing else: every portal dossier is one committed in the kiosk store.
        Assert.All(portalByKey.Keys, key => Assert.True(localByKey.ContainsKey(key), $"portal dossier {key} is not in the kiosk store"));
        Assert.Equal(local.Count, portal.Count);
        // Every dossier the resident saw as saved is at the portal exactly once.
        Assert.All(seenSaved, reference =>
        {
            var matches = portalByKey.Keys.Where(k => k.Replace("-", "").StartsWith(reference, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(matches.Count == 1, $"dossier {reference} seen as saved is at the portal {matches.Count} times");
        });
        Assert.True(seenSaved.Count >= 10, $"only {seenSaved.Count} filings were seen as saved in {attempts} attempts: the test did not exercise much");

        var submissions = portal.Sum(d => d.GetProperty("submissions").GetInt32());
        output.WriteLine($"attempts {attempts}, seen saved {seenSaved.Count}, committed {local.Count} " +
                         $"(saved but answer lost to a kill: {local.Count - seenSaved.Count}), at portal {portal.Count}, " +
                         $"portal submissions {submissions}, total {clock.Elapsed.TotalSeconds:0} s");
    }

    /// <summary>nguyen-van-an's ID number is 001085012345 (simulators/Kiosk.Simulators.VirtualCard/profiles): the CAN is its last 6 digits.</summary>
    private const string Can = "012345";

    /// <summary>
    /// One resident: start, consent, CAN, card (a real CCCD's: PACE, EF.SOD, DG1, DG13, DG14, DG15, chip and active
    /// authentication, verified; no DG2 for this service; at 848 kbit/s), form, submit. Returns the local reference when the host answered 200.
    /// </summary>
    private static async Task<string?> FileOneAsync(KioskUnderTest kiosk, Dictionary<string, object?> form, CancellationToken stop)
    {
        var host = kiosk.Ports.HostUrl;
        // A real CCCD's card: the trust policy files only a verified (or untrusted) chip, so the card carries its SOD,
        // DG14 and DG15; the residence notification does not read DG2, which keeps the read short.
        (await kiosk.Http.DeleteAsync(kiosk.Ports.ControlUrl + "/api/card", stop)).Dispose();
        using (var r = await kiosk.PostAsync(host + "/api/session/start", new { language = "vi" })) r.EnsureSuccessStatusCode();
        using (var r = await kiosk.PostAsync(host + "/api/session/consent", new { accepted = true })) r.EnsureSuccessStatusCode();
        using (var r = await kiosk.PostAsync(host + "/api/session/can", new { can = Can })) r.EnsureSuccessStatusCode();
        using (var r = await kiosk.PostAsync(kiosk.Ports.ControlUrl + "/api/card", new { profile = "nguyen-van-an", bitRate = 848 })) r.EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var session = await kiosk.GetJsonAsync(host + "/api/session");
            var step = session.GetProperty("step").GetString();
            if (step == "form") break;
            if (!session.GetProperty("active").GetBoolean() || DateTime.UtcNow > deadline
                || session.TryGetProperty("readError", out var re) && re.ValueKind == JsonValueKind.String)
                return null; // the firmware is not back yet after a restart, or the read failed: start over
            await Task.Delay(50, stop);
        }
        using var submit = await kiosk.Http.PostAsync(host + "/api/session/submit", System.Net.Http.Json.JsonContent.Create(form), stop);
        if (submit.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"submit answered {(int)submit.StatusCode}: {await submit.Content.ReadAsStringAsync(stop)}");
        var view = JsonDocument.Parse(await submit.Content.ReadAsStringAsync(stop)).RootElement;
        return view.GetProperty("result").GetProperty("localReference").GetString();
    }
}
