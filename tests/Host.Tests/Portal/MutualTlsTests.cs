using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Kiosk.Simulators.Portal;
using Kiosk.Simulators.Portal.Pki;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Host.Tests.Portal;

/// <summary>The portal simulator's mutual-TLS listener and the host's client for it, with real certificates and sockets.</summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private const string KioskId = "kiosk-test-01";
    private readonly TempDir _portalDir = new();
    private PortalServer _portal = null!;
    private Uri _plain = null!;
    private Uri _tls = null!;
    private string Pki => Path.Combine(_portalDir.Path, "pki");

    public async Task InitializeAsync()
    {
        _portal = await PortalServer.StartWithMutualTlsAsync(_portalDir.Path, ["--kiosks", KioskId, "--Logging:LogLevel:Default", "Warning"]);
        _plain = _portal.BaseAddress;
        _tls = _portal.MutualTlsAddress!;
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _portalDir.Dispose();
    }

    private HttpClient Client(string? ca, string? cert, string? key) =>
        new(PortalTls.CreateHandler(ca, cert, key)) { BaseAddress = _tls, Timeout = TimeSpan.FromSeconds(10) };

    private static string Body(string id) => JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId = KioskId, localReference = id[..8], form = new { } });

    [Fact]
    public void First_start_creates_the_CA_the_portal_certificate_and_the_kiosk_certificate_with_private_keys()
    {
        foreach (var file in new[] { "ca.crt", "ca.key", "server.crt", "server.key", KioskId + ".crt", KioskId + ".key" })
            Assert.True(File.Exists(Path.Combine(Pki, file)), file);
        if (!OperatingSystem.IsWindows())
            foreach (var key in Directory.GetFiles(Pki, "*.key"))
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        using var client = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            Path.Combine(Pki, KioskId + ".crt"), Path.Combine(Pki, KioskId + ".key"));
        Assert.Equal(KioskId, client.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
        Assert.True(client.HasPrivateKey);
        // A second start keeps the same CA (nothing is overwritten).
        var before = File.ReadAllText(Path.Combine(Pki, "ca.crt"));
        DemoPki.LoadOrCreate(Pki).EnsureClient(KioskId);
        Assert.Equal(before, File.ReadAllText(Path.Combine(Pki, "ca.crt")));
    }

    [Fact]
    public async Task The_relay_delivers_over_mutual_TLS_and_the_portal_records_the_certificate_name()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            var body = Body(id.ToString("N"));
            store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = DateTime.UtcNow, FormJson = "{}" },
                new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow });
        }
        var portal = new PortalClient(Client(Path.Combine(Pki, "ca.crt"), Path.Combine(Pki, KioskId + ".crt"), Path.Combine(Pki, KioskId + ".key")));
        var relay = new OutboxRelay(store, portal, TimeProvider.System, NullLogger<OutboxRelay>.Instance);

        Assert.Equal(3, await relay.RunOnceAsync(CancellationToken.None));
        Assert.All(ids, id => Assert.Equal(DossierState.Delivered, store.FindDossier(id)!.State));
        using var plain = new HttpClient { BaseAddress = _plain };
        var list = (await plain.GetFromJsonAsync<JsonElement>("api/dossiers")).EnumerateArray().ToList();
        Assert.Equal(3, list.Count);
        Assert.All(list, d => Assert.Equal(KioskId, d.GetProperty("clientCertificate").GetString()));
        // Status pull-back goes over the same mutual-TLS client.
        Assert.Equal(1, await portal.GetStatusAsync(list[0].GetProperty("code").GetString()!, CancellationToken.None));
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        using var http = Client(Path.Combine(Pki, "ca.crt"), null, null);
        var result = await new PortalClient(http).SubmitAsync(Guid.NewGuid().ToString("D"), Body(Guid.NewGuid().ToString("N")), CancellationToken.None);
        Assert.IsType<DeliveryResult.Transient>(result); // the handshake fails: a network error, nothing filed
        await AssertNothingFiled();
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        using var otherDir = new TempDir();
        var other = DemoPki.LoadOrCreate(otherDir.Path, "Some Other CA");
        var (cert, key) = other.EnsureClient(KioskId); // same name, wrong issuer
        using var http = Client(Path.Combine(Pki, "ca.crt"), cert, key);
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var content = new StringContent(Body(Guid.NewGuid().ToString("N")), System.Text.Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/dossiers") { Content = content };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("D"));
            using var response = await http.SendAsync(request);
        });
        await AssertNothingFiled();
    }

    [Fact]
    public async Task The_host_refuses_a_portal_whose_certificate_is_not_from_its_CA()
    {
        using var otherDir = new TempDir();
        var other = DemoPki.LoadOrCreate(otherDir.Path, "Some Other CA");
        // The kiosk's own certificate is right, but it trusts another CA: the portal's certificate does not chain to it.
        using var http = Client(other.CaCertPath, Path.Combine(Pki, KioskId + ".crt"), Path.Combine(Pki, KioskId + ".key"));
        var result = await new PortalClient(http).SubmitAsync(Guid.NewGuid().ToString("D"), Body(Guid.NewGuid().ToString("N")), CancellationToken.None);
        Assert.IsType<DeliveryResult.Transient>(result);
        await AssertNothingFiled();
    }

    [Fact]
    public async Task Plain_HTTP_keeps_reads_and_controls_but_refuses_dossiers()
    {
        using var plain = new HttpClient { BaseAddress = _plain };
        using var content = new StringContent(Body(Guid.NewGuid().ToString("N")), System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/dossiers") { Content = content };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("D"));
        using var response = await plain.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("mtls-required", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        using var faults = await plain.GetAsync("api/faults");
        Assert.Equal(HttpStatusCode.OK, faults.StatusCode);
        await AssertNothingFiled();
    }

    [Fact]
    public async Task A_dossier_for_another_kiosk_is_refused_with_a_typed_403_problem()
    {
        using var http = Client(Path.Combine(Pki, "ca.crt"), Path.Combine(Pki, KioskId + ".crt"), Path.Combine(Pki, KioskId + ".key"));
        foreach (var body in new[]
        {
            JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId = "kiosk-someone-else", form = new { } }),
            JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", form = new { } }), // no kioskId at all
        })
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/dossiers") { Content = content };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("D"));
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("urn:kiosk-portal:problem:kiosk-id-mismatch", problem.GetProperty("type").GetString());
            Assert.Equal(403, problem.GetProperty("status").GetInt32());
            Assert.Equal("kiosk-id-mismatch", problem.GetProperty("error").GetString());
            Assert.Contains(KioskId, problem.GetProperty("detail").GetString());
        }
        await AssertNothingFiled();
    }

    [Fact]
    public async Task The_relay_dead_letters_a_refused_kiosk_id_with_its_reason_and_delivers_the_rest()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var good = Guid.NewGuid();
        var wrong = Guid.NewGuid();
        foreach (var (id, body) in new[] { (good, Body(good.ToString("N"))), (wrong, JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId = "kiosk-other", form = new { } })) })
            store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = DateTime.UtcNow, FormJson = "{}" },
                new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow });
        var portal = new PortalClient(Client(Path.Combine(Pki, "ca.crt"), Path.Combine(Pki, KioskId + ".crt"), Path.Combine(Pki, KioskId + ".key")));
        var relay = new OutboxRelay(store, portal, TimeProvider.System, NullLogger<OutboxRelay>.Instance);

        var delivered = await relay.RunOnceAsync(CancellationToken.None);
        Assert.True(delivered == 1, $"{delivered} delivered; {relay.Status}; {string.Join(", ", store.AllOutbox().Select(o => o.LastError))}");
        Assert.Equal(DossierState.Delivered, store.FindDossier(good)!.State);
        Assert.Equal(DossierState.DeadLetter, store.FindDossier(wrong)!.State);
        // Not retried: a second pass sends nothing.
        Assert.Equal(0, await relay.RunOnceAsync(CancellationToken.None));
        Assert.Empty(store.DueOutbox(DateTime.UtcNow.AddDays(1)));

        // What the maintenance API (and kioskctl sync status) shows: the reason, its kind, the count by reason.
        var status = JsonSerializer.SerializeToElement(Kiosk.Host.Web.SyncEndpoints.SyncStatus(store, relay, TimeProvider.System));
        Assert.Equal(1, status.GetProperty("deadLetter").GetInt32());
        Assert.Equal(1, status.GetProperty("deadLetterReasons").GetProperty("HTTP 403 kiosk-id-mismatch").GetInt32());
        Assert.Equal("HTTP 403 kiosk-id-mismatch", status.GetProperty("lastError").GetString());
        Assert.Equal("refused", status.GetProperty("lastErrorKind").GetString());
        Assert.Equal(0, status.GetProperty("consecutiveFailures").GetInt32());
    }

    private async Task AssertNothingFiled()
    {
        using var plain = new HttpClient { BaseAddress = _plain };
        Assert.Equal(0, (await plain.GetFromJsonAsync<JsonElement>("api/dossiers")).GetArrayLength());
    }
}
