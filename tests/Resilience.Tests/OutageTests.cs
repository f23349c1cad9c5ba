using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Simulators.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Resilience.Tests;

/// <summary>A clock the test moves by hand (the host's TimeProvider).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }
    public void Advance(TimeSpan by) { lock (_gate) _now += by; }
}

/// <summary>
/// A 72-hour portal outage on an injected clock: the host (in-process, real store on disk, real relay loop, status and
/// retention services) keeps saving filings while the portal simulator (real, over HTTP) plays "down". The relay backs
/// off instead of hammering; after recovery every filing is at the portal exactly once without a technician; retention
/// never touched an undelivered filing and erases personal data 7 days after confirmation.
/// </summary>
public class OutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromHours(72);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task Filing_through_a_72_hour_portal_outage_delivers_everything_once_after_recovery()
    {
        var hostDir = Directory.CreateTempSubdirectory("kiosk-outage-host-").FullName;
        var portalDir = Directory.CreateTempSubdirectory("kiosk-outage-portal-").FullName;
        var portal = PortalApp.Build(["--urls", "http://127.0.0.1:0", "--data", portalDir, "--Logging:LogLevel:Default", "Warning"]);
        await portal.StartAsync();
        var portalUrl = Address(portal);
        using var portalHttp = new HttpClient { BaseAddress = new Uri(portalUrl + "/") };
        (await portalHttp.PutAsJsonAsync("api/faults", new { down = true })).EnsureSuccessStatusCode();

        var clock = new ManualClock(new DateTimeOffset(2026, 11, 20, 1, 0, 0, TimeSpan.Zero));
        var host = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", hostDir, "--mqtt", "false", "--portal", portalUrl,
            "--retention-days", "7", "--Logging:LogLevel:Default", "Warning",
        ], services => services.AddSingleton<TimeProvider>(clock));
        await host.StartAsync();
        using var hostHttp = new HttpClient { BaseAddress = new Uri(Address(host) + "/") };
        try
        {
            var store = host.Services.GetRequiredService<KioskStore>();
            var relay = host.Services.GetRequiredService<OutboxRelay>();
            var retention = host.Services.GetRequiredService<RetentionService>();
            var filed = new List<Guid>();

            // 72 simulated hours in 30-minute steps: a filing every step, the relay woken each time.
            for (var t = TimeSpan.Zero; t < Outage; t += Step)
            {
                filed.Add(File(store, clock));
                relay.Wake();
                await Task.Delay(40);
                clock.Advance(Step);
                Assert.Equal(0, retention.RunOnce());
            }
            relay.Wake();
            await Task.Delay(200);

            var status = await hostHttp.GetFromJsonAsync<JsonElement>("api/maintenance/sync");
            Assert.Equal(filed.Count, status.GetProperty("pending").GetInt32());
            Assert.InRange(status.GetProperty("oldestPendingSeconds").GetInt64(), (long)Outage.TotalSeconds - 60, (long)Outage.TotalSeconds + 60);
            Assert.Equal("unreachable", status.GetProperty("portal").GetString());
            var tries = (await portalHttp.GetFromJsonAsync<JsonElement>("api/faults")).GetProperty("counters").GetProperty("down").GetInt32();
            // Not hammering: about one try per pass (one pass per step and per filing), never one per entry per pass.
            Assert.InRange(tries, 1, 4 * (int)(Outage / Step));
            Assert.Empty((await portalHttp.GetFromJsonAsync<JsonElement>("api/dossiers")).EnumerateArray());
            output.WriteLine($"{filed.Count} filings saved during the outage; the portal saw {tries} connection attempts");

            // Recovery without a technician: the portal comes back; the pause ends by the clock.
            (await portalHttp.DeleteAsync("api/faults")).EnsureSuccessStatusCode();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (store.AllOutbox().Count > 0 && DateTime.UtcNow < deadline)
            {
                clock.Advance(TimeSpan.FromSeconds(61));
                relay.Wake();
                await Task.Delay(100);
            }
            Assert.Empty(store.AllOutbox());

            var atPortal = (await portalHttp.GetFromJsonAsync<JsonElement>("api/dossiers")).EnumerateArray().ToList();
            Assert.Equal(filed.Select(i => i.ToString("D")).Order(), atPortal.Select(d => d.GetProperty("idempotencyKey").GetString()).Order());
            Assert.All(filed, id =>
            {
                var d = store.FindDossier(id)!;
                Assert.Equal(DossierState.Delivered, d.State);
                Assert.Equal(atPortal.Single(p => p.GetProperty("idempotencyKey").GetString() == id.ToString("D")).GetProperty("code").GetString(), d.PortalCode);
                Assert.Contains("fullName", d.FormJson); // delivered just now: personal data still inside the window
            });

            // Retention: 7 days after confirmation the personal data goes, the skeleton stays.
            clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(5));
            Assert.Equal(filed.Count, retention.RunOnce());
            Assert.All(filed, id => Assert.Equal("{}", store.FindDossier(id)!.FormJson));
            Assert.All(filed, id => Assert.NotNull(store.FindDossier(id)!.PortalCode));
        }
        finally
        {
            await host.StopAsync();
            await host.DisposeAsync();
            await portal.StopAsync();
            await portal.DisposeAsync();
            try { Directory.Delete(hostDir, true); Directory.Delete(portalDir, true); } catch (IOException) { }
        }
    }

    /// <summary>A filing as FilingService saves it: the dossier and its outbox entry in one transaction.</summary>
    private static Guid File(KioskStore store, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var id = Guid.NewGuid();
        var body = JsonSerializer.Serialize(new
        {
            procedure = "thong-bao-luu-tru", kioskId = "kiosk-outage", submittedAt = now, localReference = id,
            form = new { person = new { fullName = "Phạm Thị Hoa" }, reason = "Thăm người thân" },
        });
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = now, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = now, NextAttemptAt = now });
        return id;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
}
