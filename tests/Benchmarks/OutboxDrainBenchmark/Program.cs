using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiosk.Host;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Simulators.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

// Outbox drain benchmark (issue 4, "Performance"):
//   1. the raw rate: the same POST /api/dossiers calls (same portal, payload shape, mutual TLS, concurrency) without the
//      store, before the fill and again after the drain (the higher counts);
//   2. the portal goes down; --count dossiers are saved through KioskStore.SaveNew (what FilingService calls);
//   3. the portal comes back ("sync now" ends the relay's backoff pause); the drain is timed while a loop polls the
//      residents' UI (GET /api/session) and records each response time.
var count = 100_000;
var rawCount = 0;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--count" && i + 1 < args.Length) count = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--raw-count" && i + 1 < args.Length) rawCount = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else
    {
        Console.Error.WriteLine("usage: OutboxDrainBenchmark [--count N (100000)] [--raw-count N (min(count, 20000))]");
        return 64;
    }
}
if (rawCount <= 0) rawCount = Math.Min(count, 20_000);
const string KioskId = "kiosk-bench";
var root = Path.Combine(Path.GetTempPath(), "kiosk-drain-" + Guid.NewGuid().ToString("N")[..8]);
var portalDir = Path.Combine(root, "portal");
var hostDir = Path.Combine(root, "host");
var quiet = new[] { "--Logging:LogLevel:Default", "Warning" };
Console.WriteLine($"Outbox drain benchmark: {count:N0} dossiers, raw baseline {rawCount:N0} calls, {Environment.ProcessorCount} cores, folder {root}");

await using var portal = PortalApp.Build(["--urls", "http://127.0.0.1:0", "--mtls-url", "https://127.0.0.1:0", "--data", portalDir, "--kiosks", KioskId, .. quiet]);
await portal.StartAsync();
var portalAddresses = portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
var portalPlain = new Uri(portalAddresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)).TrimEnd('/') + "/");
var portalTls = new Uri(portalAddresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)).TrimEnd('/') + "/");
var pki = Path.Combine(portalDir, "pki");
string ca = Path.Combine(pki, "ca.crt"), cert = Path.Combine(pki, KioskId + ".crt"), key = Path.Combine(pki, KioskId + ".key");
using var control = new HttpClient { BaseAddress = portalPlain };

// 1. Raw rate: the relay's own HTTP client set-up (mutual TLS, kept-alive connections), same concurrency, no store.
//    Measured before the fill and again after the drain: the first run is early in the process (tiered JIT still
//    compiling, an empty portal file), the second has the drain's warm-up and a portal holding as much as at the end
//    of the drain. The higher of the two is the baseline, so the ratio is never flattered by a cold baseline.
async Task<double> MeasureRaw(string when)
{
    using var http = new HttpClient(PortalTls.CreateHandler(ca, cert, key)) { BaseAddress = portalTls, Timeout = TimeSpan.FromSeconds(30) };
    var client = new PortalClient(http);
    var warm = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToList();
    await Parallel.ForEachAsync(warm, new ParallelOptions { MaxDegreeOfParallelism = PortalTls.MaxConnections },
        async (id, ct) => await client.SubmitAsync(id.ToString("D"), Body(id), ct));
    var ids = Enumerable.Range(0, rawCount).Select(_ => Guid.NewGuid()).ToList();
    var bodies = ids.Select(Body).ToList();
    var next = -1;
    var failures = 0;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, PortalTls.MaxConnections).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < ids.Count)
            if (await client.SubmitAsync(ids[i].ToString("D"), bodies[i], CancellationToken.None) is not DeliveryResult.Delivered)
                Interlocked.Increment(ref failures);
    }));
    sw.Stop();
    var rate = rawCount / sw.Elapsed.TotalSeconds;
    Console.WriteLine($"raw HTTP (no store), {when}: {rawCount:N0} calls in {sw.Elapsed.TotalSeconds:0.00} s = {rate:N0} dossiers/s ({failures} failed), concurrency {PortalTls.MaxConnections}");
    return rate;
}
var rawBefore = await MeasureRaw("before the fill");

// 2. The portal is down; the kiosk keeps saving.
(await control.PutAsJsonAsync("api/faults", new { down = true })).EnsureSuccessStatusCode();
await using var host = HostApp.Build(["--urls", "http://127.0.0.1:0", "--data", hostDir, "--mqtt", "false", "--kiosk-id", KioskId,
    "--portal", portalTls.ToString(), "--portal-ca", ca, "--client-cert", cert, "--client-key", key, .. quiet]);
await host.StartAsync();
var hostUrl = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
var store = host.Services.GetRequiredService<KioskStore>();
var relay = host.Services.GetRequiredService<OutboxRelay>();
{
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var id = Guid.NewGuid();
        var now = DateTime.UtcNow;
        var body = Body(id);
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = now, FormJson = body, State = DossierState.Saved },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = now, NextAttemptAt = now });
        if (i % 10_000 == 9_999) Console.WriteLine($"  saved {i + 1:N0} ({(i + 1) / sw.Elapsed.TotalSeconds:N0}/s)");
    }
    relay.Wake();
    Console.WriteLine($"filled the outbox:    {count:N0} dossiers in {sw.Elapsed.TotalSeconds:0.0} s while the portal was down");
    await Task.Delay(1000); // the relay tries, fails and pauses
    Console.WriteLine($"relay: portal {relay.Status.Portal}, paused until {relay.Status.PausedUntil:HH:mm:ss}");
}

// 3. The portal comes back; drain while the UI is polled.
var delivered = 0;
var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
relay.Delivered += _ => { if (Interlocked.Increment(ref delivered) >= count) done.TrySetResult(); };
using var ui = new HttpClient { BaseAddress = hostUrl, Timeout = TimeSpan.FromSeconds(30) };
(await ui.GetAsync("api/session")).Dispose(); // warm
using var stopPolling = new CancellationTokenSource();
var latencies = new List<double>();
var poller = Task.Run(async () =>
{
    while (!stopPolling.IsCancellationRequested)
    {
        var t = Stopwatch.GetTimestamp();
        using (var r = await ui.GetAsync("api/session")) r.EnsureSuccessStatusCode();
        latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        try { await Task.Delay(20, stopPolling.Token); } catch (OperationCanceledException) { }
    }
});
(await control.DeleteAsync("api/faults")).EnsureSuccessStatusCode();
var drain = Stopwatch.StartNew();
(await ui.PostAsync("api/maintenance/sync/now", null)).EnsureSuccessStatusCode(); // ends the backoff pause
var progress = Task.Run(async () =>
{
    while (!done.Task.IsCompleted)
    {
        await Task.WhenAny(done.Task, Task.Delay(5000));
        if (!done.Task.IsCompleted) Console.WriteLine($"  delivered {Volatile.Read(ref delivered):N0} ({Volatile.Read(ref delivered) / drain.Elapsed.TotalSeconds:N0}/s)");
    }
});
if (await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromMinutes(30))) != done.Task)
    Console.WriteLine($"drain did not finish in 30 min ({delivered:N0} delivered)");
drain.Stop();
stopPolling.Cancel();
await poller;
await progress;

var drainRate = delivered / drain.Elapsed.TotalSeconds;
var atPortal = (await control.GetFromJsonAsync<JsonElement>("api/dossiers")).GetArrayLength();
var rawAfter = await MeasureRaw("after the drain");
var rawRate = Math.Max(rawBefore, rawAfter);
var summary = store.Summary(DateTime.UtcNow);
latencies.Sort();
double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
var p95 = P(0.95);
Console.WriteLine($"drain (store+relay):  {delivered:N0} dossiers in {drain.Elapsed.TotalSeconds:0.00} s = {drainRate:N0} dossiers/s; outbox left {summary.Pending}, portal holds {atPortal:N0} (incl. {rawCount + 200:N0} raw)");
Console.WriteLine($"UI GET /api/session during the drain: {latencies.Count} calls, p50 {P(0.5):0.0} ms, p95 {p95:0.0} ms, p99 {P(0.99):0.0} ms, max {(latencies.Count > 0 ? latencies[^1] : double.NaN):0.0} ms");
Console.WriteLine();
Console.WriteLine($"drain rate   {drainRate,8:N0} /s   target >= 1,000 /s       {(drainRate >= 1000 ? "met" : "NOT met")}");
Console.WriteLine($"raw rate     {rawRate,8:N0} /s   (the higher of {rawBefore:N0} before the fill and {rawAfter:N0} after the drain)");
Console.WriteLine($"drain / raw  {drainRate / rawRate,8:0.00}      target >= 0.50           {(drainRate / rawRate >= 0.5 ? "met" : "NOT met")}");
Console.WriteLine($"UI p95       {p95,8:0.0} ms  target <= 200 ms         {(p95 <= 200 ? "met" : "NOT met")}");
// One line per figure in the format ./kiosk bench collects.
Console.WriteLine($"bench: outbox drain | drain rate (dossiers/s) | {drainRate:0} | >= 1000 | {(drainRate >= 1000 ? "met" : "NOT met")}");
Console.WriteLine($"bench: outbox drain | drain / raw HTTP rate | {drainRate / rawRate:0.00} | >= 0.50 | {(drainRate / rawRate >= 0.5 ? "met" : "NOT met")}");
Console.WriteLine($"bench: outbox drain | UI p95 during the drain (ms) | {p95:0.0} | <= 200 | {(p95 <= 200 ? "met" : "NOT met")}");

await host.StopAsync();
await portal.StopAsync();
try { Directory.Delete(root, recursive: true); } catch (IOException) { }
return drainRate >= 1000 && drainRate / rawRate >= 0.5 && p95 <= 200 ? 0 : 1;

// A residence notification as FilingService writes it (fictitious person; about 1 KB).
static string Body(Guid id) => JsonSerializer.Serialize(new
{
    procedure = "thong-bao-luu-tru",
    kioskId = KioskId,
    submittedAt = DateTimeOffset.UtcNow,
    localReference = id,
    consent = new { purpose = "read-chip-and-file", givenAt = DateTimeOffset.UtcNow },
    consents = new[] { new { purpose = "read-chip-and-file", givenAt = DateTimeOffset.UtcNow, language = "vi" } },
    form = new
    {
        fullName = "Nguyễn Văn Thử", idNumber = "001099012345", dateOfBirth = "1999-01-01", sex = "Nam",
        nationality = "Việt Nam", placeOfOrigin = "Xã Thử Nghiệm, Tỉnh Mẫu",
        placeOfResidence = "Số 1 Phố Thử, Phường Nghĩa Đô, Thành phố Hà Nội",
        addressLine = "Nhà 12, ngõ 34 phố Hoàng Quốc Việt", provinceCode = "01", wardCode = "00163",
        fromDate = "2026-11-26", toDate = "2026-12-26", reason = "Thăm người thân và làm việc ngắn hạn tại Hà Nội",
    },
}, new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
