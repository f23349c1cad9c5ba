using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Host.Tests.Sync;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Retry-After, pauses, dead letters, leases between relays and the status pull, against the real portal simulator.</summary>
public class RelayHardeningTests
{
    private static Guid Enqueue(KioskStore store, DateTime at)
    {
        var id = Guid.NewGuid();
        var body = JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId = "kiosk-test", localReference = id });
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = at, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = at, NextAttemptAt = at });
        return id;
    }

    private static PortalClient Client(Uri portal) => new(new HttpClient { BaseAddress = portal, Timeout = TimeSpan.FromSeconds(5) });

    private static OutboxRelay Relay(KioskStore store, Uri portal, TimeProvider clock, SyncOptions? options = null) =>
        new(store, Client(portal), clock, NullLogger<OutboxRelay>.Instance, options, new Random(1)) { IdleInterval = TimeSpan.FromMilliseconds(200) };

    private static async Task Faults(PortalServer portal, object settings)
    {
        using var http = portal.Client();
        using var r = await http.PutAsJsonAsync("api/faults", settings);
        r.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Retry_after_on_503_and_429_is_honoured_and_pauses_the_pass()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        using var store = new KioskStore(dir.Path);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var now = clock.GetUtcNow().UtcDateTime;
        Enqueue(store, now);
        Enqueue(store, now);
        var relay = Relay(store, portal.BaseAddress, clock);

        foreach (var status in new[] { 503, 429 })
        {
            await Faults(portal, new { errorRate = 1.0, status, retryAfterSeconds = 120 });
            Assert.Equal(0, await relay.RunOnceAsync(CancellationToken.None));
            var entries = store.AllOutbox();
            // The first entry waits at least Retry-After; the pass stopped, so the second was not tried and is free.
            var tried = entries.Single(e => e.Attempts > 0 && e.LastError == $"HTTP {status}");
            Assert.True(tried.NextAttemptAt >= clock.GetUtcNow().UtcDateTime.AddSeconds(119), $"next attempt {tried.NextAttemptAt:O}");
            Assert.All(entries, e => Assert.Null(e.LeaseOwner));
            Assert.True(relay.Status.PausedUntil >= clock.GetUtcNow().AddSeconds(119));
            Assert.Equal("unreachable", relay.Status.Portal);
            clock.Advance(TimeSpan.FromMinutes(3));
        }
        var counters = await portal.Client().GetFromJsonAsync<JsonElement>("api/faults");
        Assert.Equal(1, counters.GetProperty("counters").GetProperty("errors").GetInt32()); // one request per paused pass

        await Faults(portal, new { });
        Assert.Equal(2, await relay.RunOnceAsync(CancellationToken.None));
        Assert.Empty(store.AllOutbox());
    }

    [Fact]
    public void Retry_delay_is_at_least_retry_after_and_capped()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var relay = new OutboxRelay(store, Client(new Uri("http://127.0.0.1:1/")), TimeProvider.System, NullLogger<OutboxRelay>.Instance,
            new SyncOptions { MaxRetryAfter = TimeSpan.FromMinutes(10) }, new Random(3));
        Assert.True(relay.RetryDelay(0, TimeSpan.FromSeconds(30)) >= TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromMinutes(10), relay.RetryDelay(0, TimeSpan.FromDays(2)));
        Assert.InRange(relay.RetryDelay(3, null).TotalSeconds, 4, 8);
    }

    [Fact]
    public async Task A_refused_dossier_goes_to_the_dead_letters_and_the_others_are_delivered()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        using var store = new KioskStore(dir.Path);
        var now = DateTime.UtcNow;
        var bad = Guid.NewGuid();
        store.SaveNew(new Dossier { Id = bad, Procedure = "x", CreatedAt = now.AddSeconds(-1), FormJson = "{}" },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = bad, Body = "{\"no-procedure\":true}", CreatedAt = now.AddSeconds(-1), NextAttemptAt = now });
        var good = Enqueue(store, now);

        Assert.Equal(1, await Relay(store, portal.BaseAddress, TimeProvider.System).RunOnceAsync(CancellationToken.None));
        Assert.Equal(DossierState.DeadLetter, store.FindDossier(bad)!.State);
        // The status and the portal's error code (a short token from its error body, never free text).
        Assert.Equal("HTTP 400 bad-dossier", Assert.Single(store.DeadLetters()).LastError);
        Assert.Equal(DossierState.Delivered, store.FindDossier(good)!.State);
        Assert.Equal(0, await Relay(store, portal.BaseAddress, TimeProvider.System).RunOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Two_relay_loops_under_faults_never_send_the_same_entry_at_once()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        await Faults(portal, new { latencyMs = 20, latencyJitterMs = 30, dropAfterCommitRate = 0.2, seed = 5 });
        using var store = new KioskStore(dir.Path);
        var ids = Enumerable.Range(0, 30).Select(_ => Enqueue(store, DateTime.UtcNow)).ToList();
        var options = new SyncOptions { Lease = TimeSpan.FromSeconds(30) };
        var a = Relay(store, portal.BaseAddress, TimeProvider.System, options);
        var b = Relay(store, portal.BaseAddress, TimeProvider.System, options);
        Assert.NotEqual(a.Owner, b.Owner);
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (store.AllOutbox().Count > 0 && DateTime.UtcNow < deadline)
            {
                a.SyncNow();
                b.SyncNow();
                await Task.Delay(100);
            }
        }
        finally
        {
            await a.StopAsync(CancellationToken.None);
            await b.StopAsync(CancellationToken.None);
        }
        Assert.Empty(store.AllOutbox());
        var list = (await portal.Client().GetFromJsonAsync<JsonElement>("api/dossiers")).EnumerateArray().ToList();
        Assert.Equal(ids.Select(i => i.ToString("D")).Order(), list.Select(d => d.GetProperty("idempotencyKey").GetString()).Order());
        Assert.All(ids, i => Assert.Equal(list.Single(d => d.GetProperty("idempotencyKey").GetString() == i.ToString("D")).GetProperty("code").GetString(),
            store.FindDossier(i)!.PortalCode));
        // Only dropped answers cause a second submission; a concurrent double send would show up as more.
        var dropped = (await portal.Client().GetFromJsonAsync<JsonElement>("api/faults")).GetProperty("counters").GetProperty("droppedAfterCommit").GetInt32();
        Assert.Equal(30 + dropped, list.Sum(d => d.GetProperty("submissions").GetInt32()));
    }

    [Fact]
    public async Task Status_pull_stores_new_codes_and_stops_at_final_ones()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        using var store = new KioskStore(dir.Path);
        var id = Enqueue(store, DateTime.UtcNow);
        await Relay(store, portal.BaseAddress, TimeProvider.System).RunOnceAsync(CancellationToken.None);
        var code = store.FindDossier(id)!.PortalCode!;
        var puller = new StatusPuller(store, Client(portal.BaseAddress), TimeProvider.System, new SyncOptions(), NullLogger<StatusPuller>.Instance);
        using var http = portal.Client();

        Assert.Equal(0, await puller.PullOnceAsync(CancellationToken.None));
        (await http.PostAsJsonAsync($"api/dossiers/{code}/status", new { status = 4 })).EnsureSuccessStatusCode();
        Assert.Equal(1, await puller.PullOnceAsync(CancellationToken.None));
        Assert.Equal(4, store.FindDossier(id)!.PortalStatus);
        (await http.PostAsJsonAsync($"api/dossiers/{code}/status", new { status = 10 })).EnsureSuccessStatusCode();
        await puller.PullOnceAsync(CancellationToken.None);
        Assert.Equal(10, store.FindDossier(id)!.PortalStatus);
        Assert.Empty(store.DossiersAwaitingStatus(10));

        // Portal down: nothing changes, no exception.
        await Faults(portal, new { down = true });
        (await http.PostAsJsonAsync($"api/dossiers/{code}/status", new { status = 4 })).EnsureSuccessStatusCode();
        Assert.Equal(0, await puller.PullOnceAsync(CancellationToken.None));
    }

    [Fact]
    public void Retention_service_uses_the_injected_clock()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var id = Enqueue(store, clock.GetUtcNow().UtcDateTime);
        var entry = Assert.Single(store.AllOutbox());
        store.MarkDelivered(entry.Id, id, "LT-20261101-000001", 1, clock.GetUtcNow().UtcDateTime);
        var retention = new RetentionService(store, clock, new SyncOptions { Retention = TimeSpan.FromDays(7) }, NullLogger<RetentionService>.Instance);
        clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, retention.RunOnce());
        clock.Advance(TimeSpan.FromDays(1.1));
        Assert.Equal(1, retention.RunOnce());
        Assert.Equal("{}", store.FindDossier(id)!.FormJson);
    }
}
