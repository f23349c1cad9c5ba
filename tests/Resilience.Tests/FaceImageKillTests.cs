using System.Net;
using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;

namespace Resilience.Tests;

/// <summary>
/// VNeID level 1 with the chip's face image through the whole simulated kiosk (virtual card, PN532, firmware, MQTT,
/// host, portal over mutual TLS). Filed online, the portal gets the portrait of the card's DG2. The image is held in
/// memory only, so a host killed before delivery loses it; the dossier itself must not be lost: it is delivered once,
/// without the image, marked for staff to take the face image at the counter. The portrait is never in a file.
/// </summary>
public class FaceImageKillTests(ITestOutputHelper output)
{
    /// <summary>nguyen-van-an's ID number is 001085012345: the CAN is its last 6 digits.</summary>
    private const string Can = "012345";

    /// <summary>The virtual card's DG2 portrait (simulators/Kiosk.Simulators.VirtualCard/Security/CardSecurity.cs).</summary>
    private static readonly byte[] Portrait = Kiosk.Simulators.VirtualCard.Security.GrayJpeg.Create(240, 320, 15 * 1024);

    /// <summary>Files under <paramref name="folder"/> holding the portrait's first 63 bytes (its JPEG header), raw or in base64.</summary>
    private static List<string> FilesWithThePortrait(string folder)
    {
        var raw = Portrait.AsSpan(0, 63).ToArray();
        var base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(raw));
        var found = new List<string>();
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "kiosk.lock") continue; // empty, held exclusively by the running host
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            if (copy.ToArray().AsSpan().IndexOf(raw) >= 0 || copy.ToArray().AsSpan().IndexOf(base64) >= 0) found.Add(file);
        }
        return found;
    }

    private static async Task FileVneidAsync(KioskUnderTest kiosk)
    {
        var host = kiosk.Ports.HostUrl;
        (await kiosk.Http.DeleteAsync(kiosk.Ports.ControlUrl + "/api/card")).Dispose();
        using (var r = await kiosk.PostAsync(host + "/api/session/start", new { language = "vi", service = "ho-tro-vneid" })) r.EnsureSuccessStatusCode();
        using (var r = await kiosk.PostAsync(host + "/api/session/consent", new { accepted = true })) r.EnsureSuccessStatusCode();
        using (var r = await kiosk.PostAsync(host + "/api/session/can", new { can = Can })) r.EnsureSuccessStatusCode();
        // A real CCCD's card: PACE, DG2 with the portrait, SOD.
        using (var r = await kiosk.PostAsync(kiosk.Ports.ControlUrl + "/api/card", new { profile = "nguyen-van-an", bitRate = 848, security = true })) r.EnsureSuccessStatusCode();
        await KioskUnderTest.WaitUntilAsync(async () => (await kiosk.GetJsonAsync(host + "/api/session")).GetProperty("step").GetString() == "form",
            TimeSpan.FromSeconds(30), "the card to be read");
        using (var submit = await kiosk.PostAsync(host + "/api/session/submit/ho-tro-vneid", new { level = 1, phone = "0912345678" }))
            Assert.True(submit.StatusCode == HttpStatusCode.OK, await submit.Content.ReadAsStringAsync());
        using (var end = await kiosk.PostAsync(host + "/api/session/end", new { })) { }
    }

    [Fact]
    public async Task A_VNeID_dossier_saved_before_a_SIGKILL_is_delivered_once_without_the_image_marked_for_the_counter()
    {
        await using var kiosk = new KioskUnderTest();
        try
        {
            await kiosk.StartAsync();
            await RunAsync(kiosk);
        }
        catch
        {
            output.WriteLine(kiosk.Logs());
            throw;
        }
    }

    private static async Task RunAsync(KioskUnderTest kiosk)
    {
        var host = kiosk.Ports.HostUrl;
        var hostData = Path.Combine(kiosk.DataFolder, "host");
        var portalData = Path.Combine(kiosk.DataFolder, "portal");

        // Online: the portrait reaches the portal (its hash), and neither folder holds it.
        await FileVneidAsync(kiosk);
        await KioskUnderTest.WaitUntilAsync(async () => (await kiosk.GetJsonAsync(host + "/api/maintenance/sync")).GetProperty("pending").GetInt32() == 0,
            TimeSpan.FromSeconds(30), "the online delivery");
        var online = Assert.Single((await kiosk.GetJsonAsync(kiosk.Ports.PortalUrl + "/api/dossiers")).EnumerateArray());
        Assert.Equal("received", online.GetProperty("faceImage").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Portrait)), online.GetProperty("faceImageSha256").GetString());
        Assert.Equal("sent", Assert.Single((await kiosk.GetJsonAsync(host + "/api/maintenance/dossiers")).EnumerateArray()).GetProperty("faceImage").GetString());

        // Offline, then the host is killed before delivery.
        await kiosk.PutPortalFaultsAsync(new { down = true });
        await FileVneidAsync(kiosk);

        var waiting = await kiosk.GetJsonAsync(host + "/api/maintenance/sync");
        Assert.Equal(1, waiting.GetProperty("pending").GetInt32());
        Assert.Equal(1, waiting.GetProperty("faceImagesHeld").GetInt32()); // the portrait waits in memory
        Assert.Empty(FilesWithThePortrait(hostData)); // not on disk, not even while it waits

        await kiosk.Processes.KillAsync("kiosk-host");
        await kiosk.Processes.RestartAsync("kiosk-host");
        var restarted = await kiosk.GetJsonAsync(host + "/api/maintenance/sync");
        Assert.Equal(1, restarted.GetProperty("pending").GetInt32());
        Assert.Equal(0, restarted.GetProperty("faceImagesHeld").GetInt32()); // gone with the process

        await kiosk.PutPortalFaultsAsync(new { });
        await KioskUnderTest.WaitUntilAsync(async () =>
        {
            using var now = await kiosk.PostAsync(host + "/api/maintenance/sync/now", new { });
            return now.StatusCode == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(30), "the host to accept sync now");
        await KioskUnderTest.WaitUntilAsync(async () => (await kiosk.GetJsonAsync(host + "/api/maintenance/sync")).GetProperty("pending").GetInt32() == 0,
            TimeSpan.FromSeconds(60), "the outbox to drain");

        var atPortal = (await kiosk.GetJsonAsync(kiosk.Ports.PortalUrl + "/api/dossiers")).EnumerateArray()
            .Single(d => d.GetProperty("code").GetString() != online.GetProperty("code").GetString());
        Assert.Equal("ho-tro-vneid", atPortal.GetProperty("procedure").GetString());
        Assert.Equal(1, atPortal.GetProperty("submissions").GetInt32());
        Assert.Equal("missing", atPortal.GetProperty("faceImage").GetString());
        var local = (await kiosk.GetJsonAsync(host + "/api/maintenance/dossiers")).EnumerateArray()
            .Single(d => d.GetProperty("portalCode").GetString() != online.GetProperty("code").GetString());
        Assert.Equal("delivered", local.GetProperty("state").GetString());
        Assert.Equal(atPortal.GetProperty("code").GetString(), local.GetProperty("portalCode").GetString());
        Assert.Equal("at-counter", local.GetProperty("faceImage").GetString());
        Assert.Equal(0, (await kiosk.GetJsonAsync(host + "/api/maintenance/sync")).GetProperty("deadLetter").GetInt32());
        Assert.Empty(FilesWithThePortrait(hostData));
        Assert.Empty(FilesWithThePortrait(portalData));
    }
}
