using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiosk.Host.Devices;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Kiosk.Simulators.Portal.Faults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Sync;

/// <summary>
/// VNeID level 1 with the chip's face image, end to end: the real host (session API, store, relay) reading a test card
/// whose DG2 holds a known JPEG, and the portal simulator. The image travels from memory to the portal and is never
/// written at the kiosk; after a restart the dossier still goes, marked for the counter.
/// </summary>
public sealed class FaceImageDeliveryTests : IAsyncLifetime
{
    private readonly TempDir _hostDir = new();
    private readonly TempDir _portalDir = new();
    private PortalServer _portal = null!;
    private WebApplication? _host;
    private HttpClient _http = null!;
    private FakeFirmwareLink _firmware = null!;

    /// <summary>A JPEG of random content (so a slice of it cannot turn up anywhere by chance), as the card's DG2 holds it.</summary>
    private static readonly byte[] Portrait = MakePortrait();

    private static byte[] MakePortrait()
    {
        var body = new byte[6000];
        new Random(4242).NextBytes(body);
        return [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. Encoding.ASCII.GetBytes("JFIF\0"), .. body, 0xFF, 0xD9];
    }

    /// <summary>A signed card (SOD over DG1, DG2, DG13; its CSCA given to the host) whose DG2's ISO 19794-5 record ends in the portrait.</summary>
    private readonly SignedCard _signed = new(withDg15: false, dg2: Dg2());

    private static byte[] Dg2()
    {
        byte[] record = [.. "FAC\0010\0"u8, 0, 0, 0, 0, 0, 1, .. new byte[24], .. Portrait];
        return Der.Tlv(0x75, Der.Tlv(0x7F61, Der.Int(1), Der.Tlv(0x7F60, Der.Tlv(0xA1, Der.Tlv(0x80, [1, 1])), Der.Tlv(0x5F2E, record))));
    }

    public async Task InitializeAsync()
    {
        _portal = await PortalServer.StartAsync(_portalDir.Path);
        await StartHostAsync();
    }

    public async Task DisposeAsync()
    {
        await StopHostAsync();
        await _portal.DisposeAsync();
        _hostDir.Dispose();
        _portalDir.Dispose();
        _signed.Dispose();
    }

    /// <summary>Starts the host on the data folder (again, after <see cref="StopHostAsync"/>: a restart).</summary>
    private async Task StartHostAsync()
    {
        _firmware = new FakeFirmwareLink(_signed.Chip());
        _host = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", _hostDir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", _portal.BaseAddress.ToString(), "--Logging:LogLevel:Default", "Warning", "--csca", _signed.TrustFolder,
        ], services => services.AddSingleton<IFirmwareLink>(_firmware));
        await _host.StartAsync();
        var url = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(url) };
    }

    /// <summary>The host goes away with whatever it held in memory (the face images); the store stays on disk.</summary>
    private async Task StopHostAsync()
    {
        if (_host is null) return;
        _http.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        _host = null;
    }

    private KioskStore Store => _host!.Services.GetRequiredService<KioskStore>();
    private ConfigurableFaults Faults => _portal.Services.GetRequiredService<ConfigurableFaults>();

    private async Task<Guid> FileVneidAsync()
    {
        (await _http.PostAsJsonAsync("/api/session/start", new { language = "vi", service = "ho-tro-vneid" })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/session/consent", new { accepted = true })).EnsureSuccessStatusCode();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitFor(async () => (await _http.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("step").GetString() == "form", "the form step");
        using var submit = await _http.PostAsJsonAsync("/api/session/submit/ho-tro-vneid", new { level = 1, phone = "0912345678" });
        submit.EnsureSuccessStatusCode();
        _firmware.Raise(new DeviceEvent.CardRemoved());
        return Store.AllDossiers().Single().Id; // each test starts with an empty store
    }

    private static async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    private async Task<JsonElement> PortalDossierAsync(Guid id)
    {
        using var http = _portal.Client();
        var all = await http.GetFromJsonAsync<JsonElement>("api/dossiers");
        return all.EnumerateArray().Single(d => d.GetProperty("idempotencyKey").GetString() == id.ToString("D"));
    }

    /// <summary>Files of the kiosk's data folder that contain a slice of the portrait, raw or in base64.</summary>
    private static List<string> FilesWithThePortrait(string folder)
    {
        var raw = Portrait.AsSpan(300, 64).ToArray();
        var base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(Portrait.AsSpan(300, 63)));
        var found = new List<string>();
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            // The running host holds its empty lock file exclusively; every other file is read.
            if (Path.GetFileName(file) == KioskStore.LockFileName && new FileInfo(file).Length == 0) continue;
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            if (bytes.AsSpan().IndexOf(raw) >= 0 || bytes.AsSpan().IndexOf(base64) >= 0) found.Add(Path.GetFileName(file));
        }
        return found;
    }

    [Fact]
    public async Task Filed_online_the_portal_gets_the_chip_face_image_and_the_kiosk_keeps_none_of_it()
    {
        var id = await FileVneidAsync();
        await WaitFor(() => Task.FromResult(Store.FindDossier(id)!.State == DossierState.Delivered), "the delivery");

        var atPortal = await PortalDossierAsync(id);
        Assert.Equal("received", atPortal.GetProperty("faceImage").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Portrait)), atPortal.GetProperty("faceImageSha256").GetString());
        Assert.Equal(Portrait.Length, atPortal.GetProperty("faceImageLength").GetInt32());
        Assert.Equal("jpeg", atPortal.GetProperty("faceImageFormat").GetString());

        Assert.False(Store.FindDossier(id)!.FaceImageAtCounter);
        Assert.Equal(0, _host!.Services.GetRequiredService<FaceAttachments>().Count); // dropped (and zeroed) on delivery
        var listed = (await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/dossiers")).EnumerateArray().Single();
        Assert.Equal("sent", listed.GetProperty("faceImage").GetString());

        Assert.Empty(FilesWithThePortrait(_hostDir.Path));
        // The portal simulator keeps the hash, not the image.
        Assert.Empty(FilesWithThePortrait(_portalDir.Path));
    }

    [Fact]
    public async Task After_a_restart_before_delivery_the_dossier_goes_without_the_image_marked_for_the_counter()
    {
        Faults.Set(FaultSettings.None with { Down = true });
        var id = await FileVneidAsync();
        Assert.Equal(DossierState.Saved, Store.FindDossier(id)!.State);
        var sync = await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/sync");
        Assert.Equal(1, sync.GetProperty("faceImagesHeld").GetInt32()); // in memory, waiting for the portal
        var listed = (await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/dossiers")).EnumerateArray().Single();
        Assert.Equal("waiting", listed.GetProperty("faceImage").GetString());
        Assert.Empty(FilesWithThePortrait(_hostDir.Path)); // never written, not even while it waits

        await StopHostAsync();
        await StartHostAsync();
        Assert.Equal(0, _host!.Services.GetRequiredService<FaceAttachments>().Count);
        Faults.Set(FaultSettings.None);
        (await _http.PostAsJsonAsync("/api/maintenance/sync/now", new { })).EnsureSuccessStatusCode();
        await WaitFor(() => Task.FromResult(Store.FindDossier(id)!.State == DossierState.Delivered), "the delivery after the restart");

        var atPortal = await PortalDossierAsync(id);
        Assert.Equal("missing", atPortal.GetProperty("faceImage").GetString());
        Assert.Equal(JsonValueKind.Null, atPortal.GetProperty("faceImageSha256").ValueKind);
        Assert.True(Store.FindDossier(id)!.FaceImageAtCounter);
        listed = (await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/dossiers")).EnumerateArray().Single();
        Assert.Equal("at-counter", listed.GetProperty("faceImage").GetString());
        Assert.Empty(FilesWithThePortrait(_hostDir.Path));
    }

    [Fact]
    public async Task A_replay_without_the_image_after_a_restart_replays_the_first_answer_that_had_it()
    {
        // The portal files the dossier with its image, then the answer is lost; the kiosk restarts before its retry.
        Faults.Set(FaultSettings.None with { DropAfterCommitRate = 1 });
        var filing = FileVneidAsync();
        await WaitFor(async () =>
        {
            using var http = _portal.Client();
            return (await http.GetFromJsonAsync<JsonElement>("api/dossiers")).GetArrayLength() == 1;
        }, "the portal to file it");
        Faults.Set(FaultSettings.None with { Down = true }); // the retry (≥ 0.5 s later) finds the portal down
        var id = await filing;
        Assert.Equal(DossierState.Saved, Store.FindDossier(id)!.State);
        await StopHostAsync();
        await StartHostAsync();
        Assert.Equal(DossierState.Saved, Store.FindDossier(id)!.State);

        Faults.Set(FaultSettings.None);
        (await _http.PostAsJsonAsync("/api/maintenance/sync/now", new { })).EnsureSuccessStatusCode();
        await WaitFor(() => Task.FromResult(Store.FindDossier(id)!.State != DossierState.Saved), "the replay");

        // Same dossier (not a 422 "key reused with another body"): the attachments are not part of it.
        Assert.Equal(DossierState.Delivered, Store.FindDossier(id)!.State);
        var atPortal = await PortalDossierAsync(id);
        Assert.True(atPortal.GetProperty("submissions").GetInt32() >= 2);
        Assert.Equal("received", atPortal.GetProperty("faceImage").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Portrait)), atPortal.GetProperty("faceImageSha256").GetString());
        // The portal's first answer says it has the image: staff need not take it.
        Assert.False(Store.FindDossier(id)!.FaceImageAtCounter);
    }
}
