using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Host.Tests.Sync;

/// <summary>
/// The relay's pause during a long outage grows with the failed passes in a row (not with the attempts of whichever
/// entry a pass tried), is capped, honours Retry-After, and delivery resumes promptly once the portal answers.
/// Real portal simulator playing "down", manual clock, the relay's loop turn (<see cref="OutboxRelay.TickAsync"/>) driven by hand.
/// </summary>
public class OutageBackoffTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static async Task<int> DownTries(PortalServer portal)
    {
        using var http = portal.Client();
        return (await http.GetFromJsonAsync<JsonElement>("api/faults")).GetProperty("counters").GetProperty("down").GetInt32();
    }

    private static async Task Faults(PortalServer portal, object? settings)
    {
        using var http = portal.Client();
        using var r = settings is null ? await http.DeleteAsync("api/faults") : await http.PutAsJsonAsync("api/faults", settings);
        r.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_30_minute_outage_is_probed_a_capped_number_of_times_and_delivery_resumes_within_the_cap()
    {
        const int minutes = 30;
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        await Faults(portal, new { down = true });
        using var store = new KioskStore(dir.Path);
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            var id = Guid.NewGuid();
            var at = clock.GetUtcNow().UtcDateTime;
            var body = JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId = "kiosk-test", localReference = id });
            store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = at, FormJson = body },
                new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = at, NextAttemptAt = at });
            ids.Add(id);
        }
        var relay = new OutboxRelay(store, new PortalClient(new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(5) }),
            clock, NullLogger<OutboxRelay>.Instance, new SyncOptions(), new Random(1));

        // One loop turn per simulated second (the loop is woken far more often than that by filings and timers).
        var pauses = new List<TimeSpan>();
        for (var s = 0; s < minutes * 60; s++)
        {
            var failuresBefore = relay.Status.ConsecutiveFailures;
            Assert.Equal(0, await relay.TickAsync(CancellationToken.None));
            if (relay.Status.ConsecutiveFailures > failuresBefore) pauses.Add(relay.Status.PausedUntil!.Value - clock.GetUtcNow());
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        var tries = await DownTries(portal);
        // Before: a new entry with 0 attempts each pass, a 0.5–1 s pause, one try per turn (1,800). Now the pause doubles
        // per failed pass up to the 60 s cap (jitter keeps it ≥ 30 s): at most log2(60) + 1 tries to reach the cap, then
        // at most 2 a minute.
        Assert.InRange(tries, minutes - 1, 7 + 2 * minutes);
        Assert.Equal(tries, relay.Status.ConsecutiveFailures);
        Assert.All(pauses, p => Assert.InRange(p, TimeSpan.Zero, Backoff.Cap));
        Assert.True(pauses[^1] >= Backoff.Cap / 2, $"last pause {pauses[^1]}");
        Assert.True(pauses[0] <= TimeSpan.FromSeconds(1), $"first pause {pauses[0]}");
        Assert.Equal(20, store.AllOutbox().Count);

        // Recovery: no technician, at most one capped pause, then everything goes (the first success makes the rest due).
        await Faults(portal, null);
        var back = clock.GetUtcNow();
        var delivered = 0;
        while (delivered == 0 && clock.GetUtcNow() - back <= Backoff.Cap)
        {
            delivered = await relay.TickAsync(CancellationToken.None);
            if (delivered == 0) clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.True(delivered > 0, "nothing delivered within the cap after recovery");
        output.WriteLine($"{minutes} min down: {tries} connection attempts; first delivery {(clock.GetUtcNow() - back).TotalSeconds:0} s after recovery");
        Assert.Equal(0, relay.Status.ConsecutiveFailures);
        Assert.Null(relay.Status.PausedUntil);
        for (var turn = 0; turn < 3 && store.AllOutbox().Count > 0; turn++)
            await relay.TickAsync(CancellationToken.None); // same instant: no waiting for the entries' own backoff
        Assert.Empty(store.AllOutbox());
        Assert.All(ids, id => Assert.Equal(DossierState.Delivered, store.FindDossier(id)!.State));
    }

    [Fact]
    public void The_pass_pause_grows_per_failed_pass_is_capped_and_never_shorter_than_the_entry_delay()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var relay = new OutboxRelay(store, new PortalClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:1/") }), TimeProvider.System,
            NullLogger<OutboxRelay>.Instance, new SyncOptions(), new Random(7));
        Assert.InRange(relay.PassPause(1, TimeSpan.Zero).TotalSeconds, 0.5, 1);
        Assert.InRange(relay.PassPause(4, TimeSpan.Zero).TotalSeconds, 4, 8);
        Assert.InRange(relay.PassPause(50, TimeSpan.Zero).TotalSeconds, 30, 60);
        Assert.Equal(TimeSpan.FromMinutes(10), relay.PassPause(50, TimeSpan.FromMinutes(10))); // Retry-After (in the entry delay) wins
    }

    [Fact]
    public async Task Retry_after_still_sets_the_pause_when_it_is_longer_than_the_backoff()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        await Faults(portal, new { errorRate = 1.0, status = 503, retryAfterSeconds = 300 });
        using var store = new KioskStore(dir.Path);
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        var at = clock.GetUtcNow().UtcDateTime;
        var id = Guid.NewGuid();
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = at, FormJson = "{}" },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = "{\"procedure\":\"thong-bao-luu-tru\"}", CreatedAt = at, NextAttemptAt = at });
        var relay = new OutboxRelay(store, new PortalClient(new HttpClient { BaseAddress = portal.BaseAddress }), clock,
            NullLogger<OutboxRelay>.Instance, new SyncOptions(), new Random(1));
        for (var pass = 1; pass <= 3; pass++)
        {
            await relay.TickAsync(CancellationToken.None);
            Assert.Equal(pass, relay.Status.ConsecutiveFailures);
            Assert.True(relay.Status.PausedUntil >= clock.GetUtcNow().AddSeconds(299));
            clock.Advance(TimeSpan.FromSeconds(150));
            await relay.TickAsync(CancellationToken.None); // still paused: no request
            Assert.Equal(pass, relay.Status.ConsecutiveFailures);
            clock.Advance(TimeSpan.FromSeconds(151));
        }
        using var http = portal.Client();
        Assert.Equal(3, (await http.GetFromJsonAsync<JsonElement>("api/faults")).GetProperty("counters").GetProperty("errors").GetInt32());
    }
}
