using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Host.Tests.Sync;

public class OutboxRelayTests
{
    private static Guid Enqueue(KioskStore store)
    {
        var id = Guid.NewGuid();
        var body = JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId = "kiosk-test", localReference = id });
        store.SaveNew(
            new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = DateTime.UtcNow, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow });
        return id;
    }

    private static OutboxRelay Relay(KioskStore store, Uri portal) =>
        new(store, new PortalClient(new HttpClient { BaseAddress = portal, Timeout = TimeSpan.FromSeconds(5) }), TimeProvider.System, NullLogger<OutboxRelay>.Instance)
        { IdleInterval = TimeSpan.FromMilliseconds(200) };

    private static async Task<JsonElement> Dossiers(Uri portal)
    {
        using var http = new HttpClient { BaseAddress = portal };
        return await http.GetFromJsonAsync<JsonElement>("api/dossiers");
    }

    [Fact]
    public async Task Delivers_and_marks_the_dossier_with_the_portal_code()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        using var store = new KioskStore(dir.Path);
        var id = Enqueue(store);

        Assert.Equal(1, await Relay(store, portal.BaseAddress).RunOnceAsync(CancellationToken.None));
        var dossier = store.FindDossier(id)!;
        Assert.Equal(DossierState.Delivered, dossier.State);
        Assert.Matches(@"^LT-\d{8}-\d{6}$", dossier.PortalCode);
        Assert.Equal(1, dossier.PortalStatus);
        Assert.Empty(store.AllOutbox());
        Assert.Equal(id.ToString("D"), (await Dossiers(portal.BaseAddress))[0].GetProperty("idempotencyKey").GetString());
    }

    [Fact]
    public async Task Two_relays_at_once_file_the_dossier_once()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        using var store = new KioskStore(dir.Path);
        var ids = Enumerable.Range(0, 5).Select(_ => Enqueue(store)).ToList();

        var a = Relay(store, portal.BaseAddress);
        var b = Relay(store, portal.BaseAddress);
        await Task.WhenAll(a.RunOnceAsync(CancellationToken.None), b.RunOnceAsync(CancellationToken.None));

        var list = await Dossiers(portal.BaseAddress);
        Assert.Equal(5, list.GetArrayLength());
        Assert.Equal(ids.Select(i => i.ToString("D")).Order(), list.EnumerateArray().Select(d => d.GetProperty("idempotencyKey").GetString()).Order());
        Assert.Empty(store.AllOutbox());
        Assert.All(ids, i => Assert.Equal(DossierState.Delivered, store.FindDossier(i)!.State));
    }

    [Fact]
    public async Task A_lost_answer_is_replayed_not_filed_twice()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        await using var portal = await PortalServer.StartAsync(portalDir.Path);
        using var store = new KioskStore(dir.Path);
        var id = Enqueue(store);

        // The portal committed the first attempt but the kiosk never saw the answer (crash before MarkDelivered).
        var entry = Assert.Single(store.AllOutbox());
        var first = await new PortalClient(new HttpClient { BaseAddress = portal.BaseAddress }).SubmitAsync(id.ToString("D"), entry.Body, CancellationToken.None);
        var code = Assert.IsType<DeliveryResult.Delivered>(first).Answer.Code;

        await Relay(store, portal.BaseAddress).RunOnceAsync(CancellationToken.None);
        Assert.Equal(code, store.FindDossier(id)!.PortalCode);
        var only = Assert.Single((await Dossiers(portal.BaseAddress)).EnumerateArray());
        Assert.Equal(2, only.GetProperty("submissions").GetInt32());
    }

    [Fact]
    public async Task Retries_while_the_portal_is_down_and_delivers_when_it_comes_back()
    {
        using var dir = new TempDir();
        using var portalDir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var id = Enqueue(store);
        var port = PortalServer.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");

        var relay = Relay(store, address);
        Assert.Equal(0, await relay.RunOnceAsync(CancellationToken.None));
        var failed = Assert.Single(store.AllOutbox());
        Assert.Equal(1, failed.Attempts);
        Assert.NotNull(failed.LastError);
        Assert.True(failed.NextAttemptAt > DateTime.UtcNow.AddMilliseconds(100));
        Assert.Equal("unreachable", relay.Status.Portal);

        await relay.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(300);
            await using var portal = await PortalServer.StartAsync(portalDir.Path, port);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (store.FindDossier(id)!.State != DossierState.Delivered && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.Equal(DossierState.Delivered, store.FindDossier(id)!.State);
            Assert.Equal(1, (await Dossiers(portal.BaseAddress)).GetArrayLength());
            Assert.Equal("reachable", relay.Status.Portal);
        }
        finally
        {
            await relay.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Backoff_grows_with_jitter_and_is_capped()
    {
        var random = new Random(7);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var d = Backoff.Delay(attempt, random);
            var ceiling = Math.Min(60_000, 1000 * Math.Pow(2, attempt));
            Assert.InRange(d.TotalMilliseconds, ceiling / 2, ceiling);
        }
        Assert.True(Backoff.Delay(100, random) <= TimeSpan.FromSeconds(60));
    }
}
