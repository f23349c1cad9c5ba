using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Ctl;
using Kiosk.Host.Devices;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Kiosk.Simulators.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Sync;

/// <summary>
/// <c>kioskctl sync requeue</c> against the real host and the portal simulator over mutual TLS: a dossier refused with
/// <c>HTTP 403 kiosk-id-mismatch</c> because the kiosk presented the wrong client certificate is dead-lettered; once the
/// certificate is fixed (host restarted with it), requeueing delivers it exactly once with the same idempotency key.
/// </summary>
public sealed class RequeueTests : IAsyncLifetime
{
    private const string KioskId = "kiosk-test-01";
    private const string OtherKiosk = "kiosk-other";
    private const string Mismatch = "HTTP 403 kiosk-id-mismatch";
    private readonly TempDir _portalDir = new();
    private readonly TempDir _hostDir = new();
    private PortalServer _portal = null!;
    private Uri _plain = null!;
    private Uri _tls = null!;
    private string Pki => Path.Combine(_portalDir.Path, "pki");

    public async Task InitializeAsync()
    {
        _portal = await PortalServer.StartWithMutualTlsAsync(_portalDir.Path, ["--kiosks", $"{KioskId},{OtherKiosk}", "--Logging:LogLevel:Default", "Warning"]);
        _plain = _portal.BaseAddress;
        _tls = _portal.MutualTlsAddress!;
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _portalDir.Dispose();
        _hostDir.Dispose();
    }

    /// <summary>The host as <see cref="KioskId"/>, presenting the client certificate issued to <paramref name="certificateOf"/>.</summary>
    private async Task<(WebApplication App, string Url)> StartHost(string certificateOf)
    {
        var app = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", _hostDir.Path, "--mqtt", "false", "--kiosk-id", KioskId,
            "--portal", _tls.ToString(), "--portal-ca", Path.Combine(Pki, "ca.crt"),
            "--client-cert", Path.Combine(Pki, certificateOf + ".crt"), "--client-key", Path.Combine(Pki, certificateOf + ".key"),
            "--Logging:LogLevel:Default", "Warning",
        ], services => services.AddSingleton<IFirmwareLink>(new FakeFirmwareLink(TestCard.Sample())));
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private static async Task StopHost(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static Guid Enqueue(KioskStore store, object body)
    {
        var id = Guid.NewGuid();
        var json = JsonSerializer.Serialize(body);
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = DateTime.UtcNow, FormJson = json },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = json, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow });
        return id;
    }

    private static async Task<(int Code, string Out, string Err)> Kioskctl(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Cli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(condition());
    }

    private async Task<List<JsonElement>> PortalDossiers()
    {
        using var plain = new HttpClient { BaseAddress = _plain };
        return (await plain.GetFromJsonAsync<JsonElement>("api/dossiers")).EnumerateArray().ToList();
    }

    [Fact]
    public async Task A_dead_letter_from_a_wrong_certificate_is_requeued_after_the_fix_and_delivered_once()
    {
        // 1. The kiosk presents another kiosk's certificate: the portal refuses its dossier (403), the relay dead-letters it.
        Guid refused, malformed;
        var (app, _) = await StartHost(certificateOf: OtherKiosk);
        {
            var store = app.Services.GetRequiredService<KioskStore>();
            refused = Enqueue(store, new { procedure = "thong-bao-luu-tru", kioskId = KioskId, form = new { person = new { fullName = "Trần Thị Bích" } } });
            // A dossier the portal refuses for another reason (no procedure: 400) must stay where it is.
            malformed = Enqueue(store, new { kioskId = KioskId, form = new { } });
            app.Services.GetRequiredService<OutboxRelay>().Wake();
            await WaitFor(() => store.DeadLetters().Count == 2);
            Assert.Equal(Mismatch, store.FindDossier(refused)!.DeadLetterReason);
            Assert.Equal("HTTP 400 bad-dossier", store.FindDossier(malformed)!.DeadLetterReason);
        }
        await StopHost(app);
        Assert.Empty(await PortalDossiers());

        // 2. The technician installs the right certificate and restarts the host: dead letters are not retried by themselves.
        var (fixedApp, url) = await StartHost(certificateOf: KioskId);
        try
        {
            var store = fixedApp.Services.GetRequiredService<KioskStore>();
            Assert.Equal(2, store.DeadLetters().Count);

            // 3. A dry run counts and changes nothing.
            var (dryCode, dryOut, _) = await Kioskctl("sync", "requeue", "--reason", Mismatch, "--dry-run", "--host", url);
            Assert.Equal(0, dryCode);
            Assert.Contains("Dry run: 1 dead letters would be requeued", dryOut);
            Assert.Equal(DossierState.DeadLetter, store.FindDossier(refused)!.State);
            Assert.Equal(2, store.DeadLetters().Count);
            Assert.Equal(1, store.DeadLetters().Single(e => e.DossierId == refused).Attempts);
            await Task.Delay(300); // a relay woken by mistake would have sent it by now
            Assert.Empty(await PortalDossiers());

            // 4. Requeue by reason: delivered once, with the same idempotency key (a changed body would have been answered 422).
            var (code, output, _) = await Kioskctl("sync", "requeue", "--reason", Mismatch, "--host", url);
            Assert.Equal(0, code);
            Assert.Contains("1 dead letters requeued", output);
            Assert.Contains("Dead letters left: 1", output);
            Assert.Contains("HTTP 400 bad-dossier", output);
            Assert.DoesNotContain("Trần", output);
            Assert.DoesNotContain("Warning", output); // the body names this kiosk
            await WaitFor(() => store.FindDossier(refused)!.State == DossierState.Delivered);
            var filed = Assert.Single(await PortalDossiers());
            Assert.Equal(refused.ToString("D"), filed.GetProperty("idempotencyKey").GetString());
            Assert.Equal(1, filed.GetProperty("submissions").GetInt32());
            Assert.Equal(KioskId, filed.GetProperty("clientCertificate").GetString());
            Assert.Equal(filed.GetProperty("code").GetString(), store.FindDossier(refused)!.PortalCode);
            Assert.Null(store.FindDossier(refused)!.DeadLetterReason);

            // The other dead letter is untouched; sync status still reports it (exit 1).
            Assert.Equal(DossierState.DeadLetter, store.FindDossier(malformed)!.State);
            var (statusCode, status, _) = await Kioskctl("sync", "status", "--json", "--host", url);
            Assert.Equal(1, statusCode);
            var s = JsonDocument.Parse(status).RootElement;
            Assert.Equal(0, s.GetProperty("pending").GetInt32());
            Assert.Equal(1, s.GetProperty("deadLetter").GetInt32());
            Assert.Equal(1, s.GetProperty("deadLetterReasons").GetProperty("HTTP 400 bad-dossier").GetInt32());

            // Requeueing again finds nothing with that reason; the portal still holds the dossier once.
            var (againCode, again, _) = await Kioskctl("sync", "requeue", "--reason", Mismatch, "--json", "--host", url);
            Assert.Equal(0, againCode);
            Assert.Equal(0, JsonDocument.Parse(again).RootElement.GetProperty("matched").GetInt32());
            Assert.Equal(1, Assert.Single(await PortalDossiers()).GetProperty("submissions").GetInt32());
        }
        finally
        {
            await StopHost(fixedApp);
        }
    }

    [Fact]
    public async Task Requeue_all_warns_about_bodies_that_name_another_kiosk_and_resets_their_backoff()
    {
        var (app, url) = await StartHost(certificateOf: KioskId);
        try
        {
            var store = app.Services.GetRequiredService<KioskStore>();
            // Filed while the kiosk id was misconfigured: the body itself names the wrong kiosk.
            var id = Enqueue(store, new { procedure = "thong-bao-luu-tru", kioskId = OtherKiosk, form = new { } });
            app.Services.GetRequiredService<OutboxRelay>().Wake();
            await WaitFor(() => store.FindDossier(id)!.State == DossierState.DeadLetter);

            var (code, output, _) = await Kioskctl("sync", "requeue", "--all", "--host", url);
            Assert.Equal(0, code);
            Assert.Contains("1 dead letters requeued", output);
            Assert.Contains($"Warning: 1 of them name another kiosk than {KioskId}", output);
            // Sent again as it was (same key, same body): the portal refuses it again, and nothing is filed.
            await WaitFor(() => store.FindDossier(id)!.State == DossierState.DeadLetter && store.DeadLetters().Single().Attempts == 1);
            Assert.Equal(Mismatch, store.FindDossier(id)!.DeadLetterReason);
            Assert.Empty(await PortalDossiers());
        }
        finally
        {
            await StopHost(app);
        }
    }

    [Theory]
    [InlineData("sync", "requeue")]
    [InlineData("sync", "requeue", "--all", "--reason", "HTTP 403 kiosk-id-mismatch")]
    [InlineData("sync", "requeue", "--reason", "")]
    [InlineData("sync", "requeue", "--all", "--yes")]
    public async Task Requeue_needs_exactly_one_of_reason_or_all(params string[] args)
    {
        var (code, _, error) = await Kioskctl([.. args, "--host", "http://127.0.0.1:9"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("kioskctl:", error);
    }
}
