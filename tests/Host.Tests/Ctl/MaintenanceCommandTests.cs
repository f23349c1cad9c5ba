using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Ctl;
using Kiosk.Host.Devices;
using Kiosk.Host.Store;
using Kiosk.Host.Tests.Support;
using Kiosk.Host.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Ctl;

/// <summary>kioskctl sync/dossier/decommission against the real host (in-process Kestrel) and the portal simulator.</summary>
public class MaintenanceCommandTests
{
    private sealed class Running : IAsyncDisposable
    {
        public required WebApplication App { get; init; }
        public required PortalServer Portal { get; init; }
        public required string Url { get; init; }
        public required TempDir HostDir { get; init; }
        public required TempDir PortalDir { get; init; }
        public KioskStore Store => App.Services.GetRequiredService<KioskStore>();

        public async ValueTask DisposeAsync()
        {
            try { await App.StopAsync(); } catch (ObjectDisposedException) { }
            await App.DisposeAsync();
            await Portal.DisposeAsync();
            HostDir.Dispose();
            PortalDir.Dispose();
        }
    }

    private static async Task<Running> Start()
    {
        var hostDir = new TempDir();
        var portalDir = new TempDir();
        var portal = await PortalServer.StartAsync(portalDir.Path);
        var app = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", hostDir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", portal.BaseAddress.ToString(), "--Logging:LogLevel:Default", "Warning",
        ], services => services.AddSingleton<IFirmwareLink>(new FakeFirmwareLink(TestCard.Sample())));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Running { App = app, Portal = portal, Url = url, HostDir = hostDir, PortalDir = portalDir };
    }

    private static Guid Enqueue(KioskStore store)
    {
        var id = Guid.NewGuid();
        var body = JsonSerializer.Serialize(new { procedure = "thong-bao-luu-tru", kioskId = "kiosk-test", localReference = id, form = new { person = new { fullName = "Trần Thị Bích" } } });
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = DateTime.UtcNow, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow });
        return id;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args) => await RunWith(null, args);

    private static async Task<(int Code, string Out, string Err)> RunWith(string? input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code;
        if (input is null) code = await Cli.RunAsync(args, output, error);
        else
        {
            var line = CommandLine.Parse(args, new HashSet<string> { "json", "yes", "force" });
            code = await new DecommissionCommand(new StringReader(input)).RunAsync(line, output, error, CancellationToken.None);
        }
        return (code, output.ToString(), error.ToString());
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(condition());
    }

    [Fact]
    public async Task Sync_status_now_and_dossier_list_show_the_outbox_without_personal_data()
    {
        await using var k = await Start();
        using (var http = k.Portal.Client())
            (await http.PutAsJsonAsync("api/faults", new { down = true })).EnsureSuccessStatusCode();
        var id = Enqueue(k.Store);
        k.App.Services.GetRequiredService<Kiosk.Host.Sync.OutboxRelay>().Wake();
        await WaitFor(() => k.Store.AllOutbox().Single().Attempts > 0);

        var (code, output, _) = await Run("sync", "status", "--host", k.Url);
        Assert.Equal(1, code); // the portal is unreachable
        Assert.Contains("Pending        1", output);
        Assert.Contains("unreachable", output);
        var (_, json, _) = await Run("sync", "status", "--json", "--host", k.Url);
        var s = JsonDocument.Parse(json).RootElement;
        Assert.Equal(1, s.GetProperty("pending").GetInt32());
        Assert.Equal(0, s.GetProperty("deadLetter").GetInt32());
        Assert.StartsWith("network", s.GetProperty("lastError").GetString());

        var (listCode, list, _) = await Run("dossier", "list", "--host", k.Url);
        Assert.Equal(0, listCode);
        Assert.Contains(id.ToString("N")[..8].ToUpperInvariant(), list);
        Assert.Contains("saved", list);
        var (_, listJson, _) = await Run("dossier", "list", "--json", "--host", k.Url);
        Assert.DoesNotContain("Trần", listJson);
        Assert.DoesNotContain("Bích", list);

        using (var http = k.Portal.Client())
            (await http.DeleteAsync("api/faults")).EnsureSuccessStatusCode();
        var (nowCode, nowOut, _) = await Run("sync", "now", "--host", k.Url);
        Assert.Equal(0, nowCode);
        Assert.Contains("Relay woken", nowOut);
        await WaitFor(() => k.Store.FindDossier(id)!.State == DossierState.Delivered);
        var (okCode, okOut, _) = await Run("sync", "status", "--host", k.Url);
        Assert.Equal(0, okCode);
        Assert.Contains("Pending        0", okOut);
    }

    [Fact]
    public async Task Lookup_answers_the_status_in_words_by_code_or_reference()
    {
        await using var k = await Start();
        var id = Enqueue(k.Store);
        k.App.Services.GetRequiredService<Kiosk.Host.Sync.OutboxRelay>().Wake();
        await WaitFor(() => k.Store.FindDossier(id)!.State == DossierState.Delivered);
        var code = k.Store.FindDossier(id)!.PortalCode!;
        using (var portal = k.Portal.Client())
            (await portal.PostAsJsonAsync($"api/dossiers/{code}/status", new { status = 5 })).EnsureSuccessStatusCode();

        using var http = new HttpClient { BaseAddress = new Uri(k.Url) };
        var view = await http.GetFromJsonAsync<JsonElement>("/api/dossiers/" + code);
        Assert.Equal(5, view.GetProperty("portalStatus").GetInt32()); // refreshed from the portal at lookup
        Assert.Equal("Cần bổ sung giấy tờ. Vui lòng liên hệ Công an phường.", view.GetProperty("statusVi").GetString());
        Assert.Equal("More documents are needed. Please contact the ward police.", view.GetProperty("statusEn").GetString());
        Assert.DoesNotContain("Trần", view.GetRawText());
        var byRef = await http.GetFromJsonAsync<JsonElement>("/api/dossiers/" + id.ToString("N")[..8].ToUpperInvariant());
        Assert.Equal(code, byRef.GetProperty("dossierCode").GetString());
        using var missing = await http.GetAsync("/api/dossiers/LT-19990101-000001");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Decommission_asks_refuses_with_pending_dossiers_and_wipes_with_force()
    {
        await using var k = await Start();
        using (var http = k.Portal.Client())
            (await http.PutAsJsonAsync("api/faults", new { down = true })).EnsureSuccessStatusCode();
        Enqueue(k.Store);

        var (no, _, noErr) = await RunWith("no\n", "--host", k.Url);
        Assert.Equal(DecommissionCommand.NotConfirmed, no);
        Assert.Contains("not confirmed", noErr);

        var (refused, _, refusedErr) = await RunWith("yes\n", "--host", k.Url);
        Assert.Equal(1, refused);
        Assert.Contains("--force", refusedErr);
        Assert.True(File.Exists(Path.Combine(k.HostDir.Path, KioskStore.FileName)));

        var (wiped, wipedOut, _) = await Run("decommission", "--yes", "--force", "--host", k.Url);
        Assert.Equal(0, wiped);
        Assert.Contains("wiped", wipedOut);
        Assert.False(File.Exists(Path.Combine(k.HostDir.Path, KioskStore.FileName)));
        Assert.False(File.Exists(Path.Combine(k.HostDir.Path, StoreKey.FileName)));
        Assert.True(k.Store.IsClosed);
    }

    [Fact]
    public async Task Maintenance_api_refuses_callers_that_are_not_loopback()
    {
        Assert.True(SyncEndpoints.IsLoopback(new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Loopback } }));
        Assert.True(SyncEndpoints.IsLoopback(new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.IPv6Loopback } }));
        Assert.True(SyncEndpoints.IsLoopback(new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("::ffff:127.0.0.1") } }));
        Assert.False(SyncEndpoints.IsLoopback(new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("192.168.1.20") } }));
        Assert.False(SyncEndpoints.IsLoopback(new DefaultHttpContext()));

        // Through the real pipeline: a request that does not come from loopback gets 403 (remote address rewritten by a middleware).
        var hostDir = new TempDir();
        var app = HostApp.Build(["--urls", "http://127.0.0.1:0", "--data", hostDir.Path, "--mqtt", "false", "--portal", "http://127.0.0.1:1/", "--Logging:LogLevel:Default", "Warning"],
            services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new RemoteAddress(IPAddress.Parse("10.1.2.3"))));
        await app.StartAsync();
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var (code, _, error) = await Run("sync", "status", "--host", url);
            Assert.Equal(2, code);
            Assert.Contains("403", error);
            using var http = new HttpClient();
            using var wipe = await http.PostAsJsonAsync(url + "/api/maintenance/decommission", new { confirm = SyncEndpoints.DecommissionConfirmation, force = true });
            Assert.Equal(HttpStatusCode.Forbidden, wipe.StatusCode);
            Assert.True(File.Exists(Path.Combine(hostDir.Path, KioskStore.FileName)));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            hostDir.Dispose();
        }
    }

    private sealed class RemoteAddress(IPAddress address) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) => { context.Connection.RemoteIpAddress = address; await following(); });
            next(app);
        };
    }

    [Fact]
    public async Task Unreachable_host_exits_2_for_every_maintenance_command()
    {
        var url = $"http://127.0.0.1:{PortalServer.FreePort()}";
        Assert.Equal(2, (await Run("sync", "status", "--host", url)).Code);
        Assert.Equal(2, (await Run("sync", "now", "--host", url)).Code);
        Assert.Equal(2, (await Run("dossier", "list", "--host", url)).Code);
        Assert.Equal(2, (await Run("decommission", "--yes", "--host", url)).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("sync", "status", "--bogus", "x")).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("decommission", "--host", "ftp://x")).Code);
    }
}
