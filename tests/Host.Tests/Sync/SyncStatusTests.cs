using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Ctl;
using Kiosk.Host.Devices;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Sync;

/// <summary>
/// <c>GET /api/maintenance/sync</c> and <c>kioskctl sync status</c> on the real host while the portal simulator injects
/// faults: failed passes in a row, the last error's kind, the next attempt, dead letters by reason.
/// </summary>
public sealed class SyncStatusTests : IAsyncLifetime
{
    private readonly TempDir _hostDir = new();
    private readonly TempDir _portalDir = new();
    private PortalServer _portal = null!;
    private WebApplication _host = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _portal = await PortalServer.StartAsync(_portalDir.Path);
        _host = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", _hostDir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", _portal.BaseAddress.ToString(), "--Logging:LogLevel:Default", "Warning",
        ], services => services.AddSingleton<IFirmwareLink>(new FakeFirmwareLink(TestCard.Sample())));
        await _host.StartAsync();
        _url = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        await _portal.DisposeAsync();
        _hostDir.Dispose();
        _portalDir.Dispose();
    }

    private KioskStore Store => _host.Services.GetRequiredService<KioskStore>();
    private OutboxRelay Relay => _host.Services.GetRequiredService<OutboxRelay>();

    private Guid Enqueue(string kioskId = "kiosk-test")
    {
        var id = Guid.NewGuid();
        var body = JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId, localReference = id, form = new { } });
        Store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = DateTime.UtcNow, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow });
        return id;
    }

    private async Task Faults(object settings)
    {
        using var http = _portal.Client();
        (await http.PutAsJsonAsync("api/faults", settings)).EnsureSuccessStatusCode();
    }

    private async Task<JsonElement> Status()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        return await http.GetFromJsonAsync<JsonElement>("/api/maintenance/sync");
    }

    private async Task<JsonElement> WaitForStatus(Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var s = await Status();
            if (condition(s)) return s;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {s}");
            await Task.Delay(100);
        }
    }

    private async Task<(int Code, string Out)> Ctl(params string[] args)
    {
        var output = new StringWriter();
        var code = await Cli.RunAsync([.. args, "--host", _url], output, new StringWriter());
        return (code, output.ToString());
    }

    [Fact]
    public async Task Failures_in_a_row_error_kind_and_next_attempt_follow_the_portal_faults()
    {
        await Faults(new { errorRate = 1.0, status = 503 });
        Enqueue();
        Relay.Wake();
        var failing = await WaitForStatus(s => s.GetProperty("consecutiveFailures").GetInt32() >= 1, "a failed pass");
        Assert.Equal("server-error", failing.GetProperty("lastErrorKind").GetString());
        Assert.Equal("HTTP 503", failing.GetProperty("lastError").GetString());
        var next = failing.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.True(next >= failing.GetProperty("lastErrorAt").GetDateTimeOffset(), "the next attempt is after the failure");
        Assert.True(next >= failing.GetProperty("pausedUntil").GetDateTimeOffset(), "the next attempt waits for the pause");

        var (code, text) = await Ctl("sync", "status");
        Assert.Equal(1, code); // the portal is unreachable
        Assert.Matches(@"Failures\s+\d+ failed passes in a row", text);
        Assert.Contains("(server-error)", text);
        Assert.Matches(@"Next attempt\s+\d{4}-", text);

        // Another fault, another kind; the count goes on growing across passes (the pause ends with "sync now").
        await Faults(new { down = true });
        var before = (await Status()).GetProperty("consecutiveFailures").GetInt32();
        Assert.Equal(0, (await Ctl("sync", "now")).Code);
        var down = await WaitForStatus(s => s.GetProperty("lastErrorKind").GetString() == "network", "a network failure");
        Assert.True(down.GetProperty("consecutiveFailures").GetInt32() > before);

        // The portal comes back: the count resets, nothing waits, no next attempt.
        await Faults(new { });
        Assert.Equal(0, (await Ctl("sync", "now")).Code);
        var ok = await WaitForStatus(s => s.GetProperty("pending").GetInt32() == 0, "the delivery");
        Assert.Equal(0, ok.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("nextAttemptAt").ValueKind);
        var (okCode, okText) = await Ctl("sync", "status");
        Assert.Equal(0, okCode);
        Assert.Contains("Failures       0 failed passes in a row", okText);
    }

    [Fact]
    public async Task A_refused_dossier_shows_as_a_dead_letter_by_reason()
    {
        await Faults(new { errorRate = 1.0, status = 400 });
        var id = Enqueue();
        Relay.Wake();
        var s = await WaitForStatus(s => s.GetProperty("deadLetter").GetInt32() == 1, "the dead letter");
        Assert.Equal(DossierState.DeadLetter, Store.FindDossier(id)!.State);
        Assert.Equal(1, s.GetProperty("deadLetterReasons").GetProperty("HTTP 400 injected-fault").GetInt32());
        Assert.Equal("refused", s.GetProperty("lastErrorKind").GetString());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("nextAttemptAt").ValueKind); // nothing left to try

        var (code, text) = await Ctl("sync", "status");
        Assert.Equal(1, code); // dead letters need a technician
        Assert.Contains("1 × HTTP 400 injected-fault", text);
        var (_, list) = await Ctl("dossier", "list", "--json");
        Assert.Equal("HTTP 400 injected-fault", JsonDocument.Parse(list).RootElement.EnumerateArray().Single().GetProperty("lastError").GetString());
    }
}
