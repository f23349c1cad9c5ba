using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host.Devices;
using Kiosk.Host.Receipts;
using Kiosk.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Filing;

/// <summary>The host's HTTP session API end to end: real store, relay and portal simulator; firmware faked.</summary>
public class HostSessionTests
{
    private sealed class Running : IAsyncDisposable
    {
        public required WebApplication App { get; init; }
        public required PortalServer Portal { get; init; }
        public required FakeFirmwareLink Firmware { get; init; }
        public required HttpClient Http { get; init; }
        public required TempDir HostDir { get; init; }
        public required TempDir PortalDir { get; init; }
        public required SignedCard Card { get; init; }

        public async ValueTask DisposeAsync()
        {
            Card.Dispose();
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            await Portal.DisposeAsync();
            HostDir.Dispose();
            PortalDir.Dispose();
        }
    }

    private static async Task<Running> Start(string? portalOverride = null)
    {
        var hostDir = new TempDir();
        var portalDir = new TempDir();
        var portal = await PortalServer.StartAsync(portalDir.Path);
        // A signed card (DG14 with active-authentication info, DG15) whose CSCA the host holds: verified.
        var card = new SignedCard();
        var firmware = new FakeFirmwareLink(card.Chip());
        var app = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", hostDir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", portalOverride ?? portal.BaseAddress.ToString(), "--Logging:LogLevel:Default", "Warning", "--csca", card.TrustFolder,
        ], services => services.AddSingleton<IFirmwareLink>(firmware));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Running { App = app, Portal = portal, Firmware = firmware, Http = new HttpClient { BaseAddress = new Uri(url) }, HostDir = hostDir, PortalDir = portalDir, Card = card };
    }

    private static async Task<JsonElement> WaitForStep(HttpClient http, string step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var s = await http.GetFromJsonAsync<JsonElement>("/api/session");
            if (s.GetProperty("step").GetString() == step || DateTime.UtcNow > deadline) return s;
            await Task.Delay(50);
        }
    }

    private static string Today() => VietnamTime.Now(TimeProvider.System).ToString("yyyy-MM-dd");

    [Fact]
    public async Task The_page_is_served_with_the_vietnamese_texts_inline_and_not_cached()
    {
        await using var k = await Start();
        foreach (var path in new[] { "/", "/index.html" })
        {
            using var response = await k.Http.GetAsync(path);
            response.EnsureSuccessStatusCode();
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            var html = await response.Content.ReadAsStringAsync();
            var at = html.IndexOf("<script type=\"application/json\" id=\"i18n-vi\">", StringComparison.Ordinal);
            Assert.True(at > 0, path + ": no inline texts");
            var start = html.IndexOf('>', at) + 1;
            var texts = JsonSerializer.Deserialize<Dictionary<string, string>>(html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)])!;
            Assert.Equal(Kiosk.Host.Filing.Messages.Text("vi", "welcome"), texts["welcome"]);
            Assert.Equal(Kiosk.Host.Filing.Messages.Catalog("vi").Count, texts.Count);
        }
        // The resource files stay fetchable (English, and the page's fallback).
        Assert.Equal(System.Net.HttpStatusCode.OK, (await k.Http.GetAsync("/i18n/en.json")).StatusCode);
    }

    [Fact]
    public async Task Full_filing_through_the_session_api()
    {
        await using var k = await Start();
        var http = k.Http;

        var started = await (await http.PostAsJsonAsync("/api/session/start", new { language = "vi" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("consent", started.GetProperty("step").GetString());
        var consent = await http.PostAsJsonAsync("/api/session/consent", new { accepted = true });
        Assert.Equal("can", (await consent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("step").GetString());
        Assert.Equal("no-store", consent.Headers.CacheControl!.ToString());
        var can = await http.PostAsJsonAsync("/api/session/can", new { can = "012345" });
        Assert.Equal("waitingCard", (await can.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("step").GetString());

        // The test card has no access control: it is read in plain and the CAN is simply not used.
        k.Firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        var form = await WaitForStep(http, "form");
        Assert.Equal("form", form.GetProperty("step").GetString());
        Assert.True(form.TryGetProperty("consentGivenAt", out _));
        // The fingerprint consent screen comes first and shows nothing of the holder; the form then shows what it needs.
        Assert.Equal(JsonValueKind.Null, form.GetProperty("identity").ValueKind);
        form = await (await http.PostAsJsonAsync("/api/session/fingerprint-consent", new { accepted = false })).Content.ReadFromJsonAsync<JsonElement>();
        var identity = form.GetProperty("identity");
        Assert.Equal("Nguyễn Văn An", identity.GetProperty("fullName").GetString());
        Assert.Equal("001099012345", identity.GetProperty("idNumber").GetString());
        // Only what the screen shows: the rest of DG13 (parents, religion, ethnicity, old ID number, …) stays on the host.
        Assert.Equal(["fullName", "idNumber", "dateOfBirth", "sex", "placeOfResidence", "oldIdNumber"], identity.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, identity.GetProperty("oldIdNumber").ValueKind); // shown by the old-ID service only
        foreach (var kept in new[] { "Nguyễn Văn Bình", "Trần Thị Cúc", "Kinh", "012345678", "Xã Đông Hội" })
            Assert.DoesNotContain(kept, form.ToString());
        // The session's read is the full, verified read: passive authentication against the host's CSCA, active
        // authentication with DG15; this chip's DG14 offers no chip authentication.
        var verification = (await http.GetFromJsonAsync<JsonElement>("/api/session/card")).GetProperty("verification");
        Assert.True(verification.GetProperty("verified").GetBoolean());
        Assert.Equal("verified", verification.GetProperty("trust").GetString());
        Assert.Equal("valid", verification.GetProperty("passiveAuthentication").GetString());
        Assert.Equal("not-supported", verification.GetProperty("chipAuthentication").GetString());
        Assert.Equal("passed", verification.GetProperty("activeAuthentication").GetString());

        var bad = await http.PostAsJsonAsync("/api/session/submit", new { addressLine = "", provinceCode = 1, wardCode = 99999999, fromDate = Today(), toDate = "2000-01-01", reason = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("Vui lòng nhập lý do lưu trú.", errors.GetProperty("reason").GetString());
        Assert.True(errors.TryGetProperty("wardCode", out _));
        Assert.True(errors.TryGetProperty("toDate", out _));

        var places = await http.GetFromJsonAsync<JsonElement>("/api/places");
        Assert.Equal(34, places.GetArrayLength());
        var hanoiWards = await http.GetFromJsonAsync<JsonElement>("/api/places/1/wards");
        var ward = hanoiWards.EnumerateArray().First(w => w.GetProperty("name").GetString() == "Phường Nghĩa Đô").GetProperty("code").GetInt32();
        var ok = await http.PostAsJsonAsync("/api/session/submit", new { addressLine = "Số 12 ngõ 34 Hoàng Quốc Việt", provinceCode = 1, wardCode = ward, fromDate = Today(), toDate = Today(), reason = "Thăm người thân" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var done = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("done", done.GetProperty("step").GetString());
        var result = done.GetProperty("result");
        Assert.Equal("delivered", result.GetProperty("state").GetString());
        var code = result.GetProperty("dossierCode").GetString()!;
        Assert.Matches(@"^LT-\d{8}-\d{6}$", code);
        Assert.Equal("printed", result.GetProperty("print").GetString());

        var receipt = Wpc1258.Decode(Assert.Single(k.Firmware.PrintJobs));
        Assert.Contains(code, receipt);
        Assert.Contains("001******345", receipt);
        Assert.DoesNotContain("001099012345", receipt);
        Assert.DoesNotContain("Nguyễn Văn An", receipt);

        // The portal got the dossier with the person from the chip and the card's verification record.
        using var portalHttp = k.Portal.Client();
        var list = await portalHttp.GetFromJsonAsync<JsonElement>("api/dossiers");
        Assert.Equal(code, Assert.Single(list.EnumerateArray()).GetProperty("code").GetString());
        var atPortal = (await portalHttp.GetFromJsonAsync<JsonElement>("api/dossiers/" + code)).GetProperty("verification");
        Assert.Equal("verified", atPortal.GetProperty("trust").GetString());
        Assert.False(atPortal.GetProperty("staffVerification").GetBoolean());
        Assert.Equal(SignedCard.SignerSerialNumber, atPortal.GetProperty("documentSignerSerialNumber").GetString());
        var stored = Assert.Single(k.App.Services.GetRequiredService<Kiosk.Host.Store.KioskStore>().AllDossiers());
        Assert.Equal(Kiosk.Host.Card.CardTrust.Verified, stored.Verification!.Trust);
        Assert.Equal([1, 13, 14, 15], stored.Verification.DataGroupsRead);

        // Card removed → the session and its personal data are gone.
        k.Firmware.Raise(new DeviceEvent.CardRemoved());
        var after = await http.GetFromJsonAsync<JsonElement>("/api/session");
        Assert.False(after.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("identity").ValueKind);

        var status = await http.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.Equal("kiosk-mcu-test", status.GetProperty("kioskId").GetString());
        Assert.Equal(0, status.GetProperty("queue").GetProperty("pending").GetInt32());
        Assert.Equal("connected", status.GetProperty("components").GetProperty("broker").GetString());
    }

    [Fact]
    public async Task Portal_down_prints_the_pending_wording_and_keeps_the_outbox()
    {
        await using var k = await Start(portalOverride: $"http://127.0.0.1:{PortalServer.FreePort()}/");
        var http = k.Http;
        k.Firmware.PrintReply = Kiosk.DeviceContract.ReplyResult.PaperOut;
        await http.PostAsJsonAsync("/api/session/start", new { language = "en" });
        await http.PostAsJsonAsync("/api/session/consent", new { accepted = true });
        k.Firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep(http, "form");
        var response = await http.PostAsJsonAsync("/api/session/submit", new { addressLine = "12 Hoàng Quốc Việt", provinceCode = 1, wardCode = 4, fromDate = Today(), toDate = Today(), reason = "Du lịch" });
        var result = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result");
        Assert.Equal("saved", result.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("dossierCode").ValueKind);
        Assert.Equal("paper-out", result.GetProperty("print").GetString());
        Assert.Contains("hết giấy", result.GetProperty("printMessageVi").GetString());
        Assert.Contains(Receipt.PendingWording, Wpc1258.Decode(Assert.Single(k.Firmware.PrintJobs)));

        var status = await http.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.Equal(1, status.GetProperty("queue").GetProperty("pending").GetInt32());
        Assert.Equal("unreachable", status.GetProperty("components").GetProperty("portal").GetString());
    }

    [Fact]
    public async Task Declining_consent_ends_the_session_and_wrong_steps_are_409()
    {
        await using var k = await Start();
        var http = k.Http;
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync("/api/session/consent", new { accepted = true })).StatusCode);
        await http.PostAsJsonAsync("/api/session/start", new { });
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync("/api/session/submit", new { })).StatusCode);
        var declined = await (await http.PostAsJsonAsync("/api/session/consent", new { accepted = false })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(declined.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Pages_are_served_without_caching_and_kioskctl_reads_the_status()
    {
        await using var k = await Start();
        using var page = await k.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("no-store", page.Headers.CacheControl!.ToString());
        Assert.Contains("autocomplete=\"off\"", await page.Content.ReadAsStringAsync());
        using var maintenance = await k.Http.GetAsync("/maintenance");
        Assert.Equal(HttpStatusCode.OK, maintenance.StatusCode);

        // The relay probes the portal when idle; wait until it is seen reachable.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await k.Http.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("components").GetProperty("portal").GetString() != "reachable" && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var output = new StringWriter();
        Assert.Equal(0, await Kiosk.Ctl.Cli.RunAsync(["status", "--host", k.Http.BaseAddress!.ToString()], output, new StringWriter()));

        k.Firmware.Snapshot = k.Firmware.Snapshot with { Printer = new PrinterState("out", "closed", true) };
        Assert.Equal(1, await Kiosk.Ctl.Cli.RunAsync(["status", "--host", k.Http.BaseAddress!.ToString()], new StringWriter(), new StringWriter()));
    }

    [Fact]
    public async Task Temporary_residence_through_the_session_api_with_fingerprint_consent_and_lookup()
    {
        await using var k = await Start();
        var http = k.Http;
        var started = await (await http.PostAsJsonAsync("/api/session/start", new { language = "vi", service = "dang-ky-tam-tru" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dang-ky-tam-tru", started.GetProperty("service").GetString());
        await http.PostAsJsonAsync("/api/session/consent", new { accepted = true });
        k.Firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep(http, "form");
        var fp = await (await http.PostAsJsonAsync("/api/session/fingerprint-consent", new { accepted = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(fp.GetProperty("fingerprintAccepted").GetBoolean());
        // The chip's old "Phường Nghĩa Đô, Cầu Giấy" was split between three new wards: the resident chooses.
        var suggestion = Assert.Single(fp.GetProperty("residenceSuggestions").EnumerateArray(), w => w.GetProperty("wardName").GetString() == "Phường Nghĩa Đô");
        Assert.Equal(3, fp.GetProperty("residenceSuggestions").GetArrayLength());

        // Another service's form is refused; the old endpoint is for the residence notification only.
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync("/api/session/submit/ho-tro-vneid", new { level = 1, phone = "0912345678" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/session/submit/unknown", new { })).StatusCode);

        var bad = await http.PostAsJsonAsync("/api/session/submit/dang-ky-tam-tru", new { phone = "12", provinceCode = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var badBody = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0).", badBody.GetProperty("errors").GetProperty("phone").GetString());
        Assert.True(badBody.GetProperty("errorsEn").TryGetProperty("proofDocument", out _));

        var from = DateOnly.Parse(Today());
        var ok = await http.PostAsJsonAsync("/api/session/submit/dang-ky-tam-tru", new
        {
            phone = "0912345678", relationshipToHead = "chu-ho", addressLine = "Số 5 ngõ 10 Nguyễn Khánh Toàn", provinceCode = 1,
            wardCode = suggestion.GetProperty("wardCode").GetInt32(), fromDate = Today(), toDate = from.AddMonths(6).ToString("yyyy-MM-dd"),
            proofDocument = "hop-dong-thue-muon",
        });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var result = (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result");
        var code = result.GetProperty("dossierCode").GetString()!;
        Assert.Matches(@"^TT-\d{8}-\d{6}$", code);
        Assert.Equal("dang-ky-tam-tru", result.GetProperty("procedure").GetString());
        Assert.Contains("Đăng ký tạm trú", Wpc1258.Decode(Assert.Single(k.Firmware.PrintJobs)));

        var lookup = await http.GetFromJsonAsync<JsonElement>("/api/lookup/" + code.ToLowerInvariant());
        Assert.Equal(1, lookup.GetProperty("status").GetInt32());
        Assert.StartsWith("Mới đăng ký", lookup.GetProperty("statusVi").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/lookup/LT-20000101-999999")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/lookup/nonsense")).StatusCode);
    }

    [Fact]
    public async Task Spoken_prompts_come_from_the_resource_file_and_are_cached()
    {
        await using var k = await Start();
        Assert.Equal(HttpStatusCode.NotFound, (await k.Http.GetAsync("/api/speech/vi/noSuchPrompt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await k.Http.GetAsync("/api/speech/fr/placeCard")).StatusCode);
        if (!File.Exists(Kiosk.Host.Filing.SpeechEndpoints.Espeak)) return; // ./kiosk test installs espeak-ng
        using var first = await k.Http.GetAsync("/api/speech/vi/placeCard");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("audio/wav", first.Content.Headers.ContentType!.MediaType);
        var wav = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal("RIFF"u8.ToArray(), wav[..4]);
        Assert.Single(Directory.GetFiles(Path.Combine(k.HostDir.Path, "speech"), "vi-*.wav"));
        using var again = await k.Http.GetAsync("/api/speech/vi/placeCard");
        Assert.Equal(wav, await again.Content.ReadAsByteArrayAsync());
    }
}
