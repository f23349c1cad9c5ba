using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Receipts;
using Kiosk.Host.Store;
using Kiosk.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiosk.Host.Tests.Filing;

/// <summary>
/// The trust policy in the resident session (issue 9), through the real host in-process (session API, LiteDB store,
/// relay) and the portal simulator: a refused card files nothing and is counted and logged as a security event; an
/// untrusted one files marked for staff verification; DG2 is read only for VNeID.
/// </summary>
public sealed class CardTrustSessionTests : IAsyncLifetime
{
    private readonly TempDir _hostDir = new();
    private readonly TempDir _portalDir = new();
    private readonly CapturingLogs _logs = new();
    private PortalServer _portal = null!;
    private WebApplication? _host;
    private HttpClient _http = null!;
    private FakeFirmwareLink _firmware = null!;
    private TestCard _chip = null!;

    private static readonly byte[] Portrait = [0xFF, 0xD8, 0xFF, 0xE0, .. RandomNumberGenerator.GetBytes(2000), 0xFF, 0xD9];

    private static byte[] Dg2()
    {
        byte[] record = [.. "FAC\0010\0"u8, 0, 0, 0, 0, 0, 1, .. new byte[24], .. Portrait];
        return Der.Tlv(0x75, Der.Tlv(0x7F61, Der.Int(1), Der.Tlv(0x7F60, Der.Tlv(0xA1, Der.Tlv(0x80, [1, 1])), Der.Tlv(0x5F2E, record))));
    }

    private readonly SignedCard _card = new(dg2: Dg2());

    public async Task InitializeAsync() => _portal = await PortalServer.StartAsync(_portalDir.Path);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            _http.Dispose();
            await _host.StopAsync();
            await _host.DisposeAsync();
        }
        await _portal.DisposeAsync();
        _card.Dispose();
        _hostDir.Dispose();
        _portalDir.Dispose();
    }

    private async Task StartHostAsync(TestCard chip, bool withCsca = true)
    {
        _chip = chip;
        _firmware = new FakeFirmwareLink(chip);
        _host = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", _hostDir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", _portal.BaseAddress.ToString(), "--Logging:LogLevel:Default", "Warning",
            .. withCsca ? new[] { "--csca", _card.TrustFolder } : [],
        ], services =>
        {
            services.AddSingleton<IFirmwareLink>(_firmware);
            services.AddSingleton<ILoggerProvider>(_logs);
        });
        await _host.StartAsync();
        var url = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(url) };
    }

    private KioskStore Store => _host!.Services.GetRequiredService<KioskStore>();

    private async Task<JsonElement> ReadCardAsync(string service, string expectedStep)
    {
        (await _http.PostAsJsonAsync("/api/session/start", new { language = "vi", service })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("/api/session/consent", new { accepted = true })).EnsureSuccessStatusCode();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var s = await _http.GetFromJsonAsync<JsonElement>("/api/session");
            if (s.GetProperty("step").GetString() == expectedStep) return s;
            Assert.True(DateTime.UtcNow < deadline, "timed out; last view: " + s);
            await Task.Delay(30);
        }
    }

    private static string Today() => VietnamTime.Now(TimeProvider.System).ToString("yyyy-MM-dd");

    private Task<HttpResponseMessage> SubmitNotificationAsync() => _http.PostAsJsonAsync("/api/session/submit/thong-bao-luu-tru",
        new { addressLine = "Số 12 ngõ 34 Hoàng Quốc Việt", provinceCode = 1, wardCode = 4, fromDate = Today(), toDate = Today(), reason = "Thăm người thân" });

    [Fact]
    public async Task A_cloned_chip_is_refused_nothing_is_filed_and_a_security_event_is_counted_and_logged()
    {
        using var cloneKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var chip = _card.Chip();
        chip.ActiveAuthenticationKey = cloneKey; // genuine files and SOD, but not the chip's private key
        await StartHostAsync(chip);

        var view = await ReadCardAsync("thong-bao-luu-tru", "cardRefused");
        Assert.Equal(JsonValueKind.Null, view.GetProperty("identity").ValueKind);
        Assert.DoesNotContain("Nguyễn", view.ToString());
        var card = (await _http.GetFromJsonAsync<JsonElement>("/api/session/card")).GetProperty("verification");
        Assert.Equal("refused", card.GetProperty("trust").GetString());
        Assert.Equal("valid", card.GetProperty("passiveAuthentication").GetString());
        Assert.Equal("failed", card.GetProperty("activeAuthentication").GetString());
        Assert.Null(_host!.Services.GetRequiredService<Kiosk.Host.Filing.SessionManager>().Current!.Identity); // dropped on the host too

        // Nothing can be filed in this session, and nothing was.
        using (var submit = await SubmitNotificationAsync()) Assert.Equal(HttpStatusCode.Conflict, submit.StatusCode);
        using (var fp = await _http.PostAsJsonAsync("/api/session/fingerprint-consent", new { accepted = true })) Assert.Equal(HttpStatusCode.Conflict, fp.StatusCode);
        Assert.Empty(Store.AllDossiers());
        Assert.Empty(_firmware.PrintJobs);
        using (var portal = _portal.Client()) Assert.Equal(0, (await portal.GetFromJsonAsync<JsonElement>("api/dossiers")).GetArrayLength());

        // Counted for the technicians, and in the log as a security event: reason, time, kiosk; nothing personal.
        var trust = await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/card-trust");
        Assert.Equal(1, trust.GetProperty("refusedCards").GetInt32());
        Assert.Equal(1, trust.GetProperty("refusedByReason").GetProperty("active-authentication-failed").GetInt32());
        Assert.Equal(JsonValueKind.String, trust.GetProperty("lastRefusedAt").ValueKind);
        Assert.Equal(1, (await _http.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("cardTrust").GetProperty("refusedCards").GetInt32());
        var security = Assert.Single(_logs.Lines, l => l.EventId == CardTrustMonitor.SecurityEventId);
        Assert.Equal(LogLevel.Warning, security.Level);
        Assert.Contains("active-authentication-failed", security.Text);
        Assert.Contains("kiosk-mcu-test", security.Text);
        foreach (var personal in new[] { "Nguyễn", "001099012345", "099012345", "1999", "Hoàng Quốc Việt" })
            Assert.DoesNotContain(personal, _logs.All);

        // Taking the card off ends the session, as after a read.
        _firmware.Raise(new DeviceEvent.CardRemoved());
        Assert.False((await _http.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_chip_that_does_not_return_the_dg14_and_dg15_its_sod_lists_is_refused()
    {
        await StartHostAsync(_card.Chip("DG14", "DG15"));
        await ReadCardAsync("thong-bao-luu-tru", "cardRefused");
        var trust = await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/card-trust");
        Assert.Equal(1, trust.GetProperty("refusedByReason").GetProperty("listed-file-not-returned").GetInt32());
        Assert.Equal(1, trust.GetProperty("refusedByReason").GetProperty("active-authentication-not-completed").GetInt32());
        Assert.Empty(Store.AllDossiers());
    }

    [Fact]
    public async Task Without_the_csca_the_card_is_untrusted_filed_marked_for_staff_and_the_trust_store_needs_attention()
    {
        await StartHostAsync(_card.Chip(), withCsca: false);
        await ReadCardAsync("thong-bao-luu-tru", "form");
        var card = (await _http.GetFromJsonAsync<JsonElement>("/api/session/card")).GetProperty("verification");
        Assert.Equal("untrusted", card.GetProperty("trust").GetString());
        Assert.True(card.GetProperty("staffVerification").GetBoolean());

        using var submit = await SubmitNotificationAsync();
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        var result = (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result");
        Assert.True(result.GetProperty("staffVerification").GetBoolean());
        Assert.Contains(Receipt.StaffVerificationWording, Wpc1258.Decode(Assert.Single(_firmware.PrintJobs)));

        var stored = Assert.Single(Store.AllDossiers());
        Assert.Equal(CardTrust.Untrusted, stored.Verification!.Trust);
        Assert.True(stored.Verification.StaffVerification);
        Assert.Equal([CardTrustReason.PassiveAuthenticationUntrusted], stored.Verification.Reasons);
        var code = result.GetProperty("dossierCode").GetString()!;
        using (var portal = _portal.Client())
        {
            var atPortal = await portal.GetFromJsonAsync<JsonElement>("api/dossiers/" + code);
            var v = atPortal.GetProperty("verification");
            Assert.Equal("untrusted", v.GetProperty("trust").GetString());
            Assert.True(v.GetProperty("staffVerification").GetBoolean());
            Assert.Equal("untrusted", v.GetProperty("passiveAuthentication").GetString());
            Assert.Contains(v.GetProperty("passiveAuthenticationFailures").EnumerateArray(), f => f.GetString()!.Contains("no CSCA in the trust store"));
            Assert.Equal("passed", v.GetProperty("activeAuthentication").GetString());
            Assert.Equal("not-required", v.GetProperty("fingerprint").GetString());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_card.Files["EF.SOD"])), v.GetProperty("sodSha256").GetString());
            var listed = (await portal.GetFromJsonAsync<JsonElement>("api/dossiers")).EnumerateArray().Single();
            Assert.Equal("untrusted", listed.GetProperty("cardTrust").GetString());
            Assert.True(listed.GetProperty("staffVerification").GetBoolean());
        }
        var mine = (await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/dossiers")).EnumerateArray().Single();
        Assert.True(mine.GetProperty("staffVerification").GetBoolean());

        var trust = await _http.GetFromJsonAsync<JsonElement>("/api/maintenance/card-trust");
        Assert.Equal("missing", trust.GetProperty("trustStore").GetString());
        Assert.True(trust.GetProperty("trustStoreNeedsAttention").GetBoolean());
        Assert.Equal(1, trust.GetProperty("untrustedCards").GetInt32());
        Assert.Equal(0, trust.GetProperty("refusedCards").GetInt32());
        Assert.True((await _http.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("cardTrust").GetProperty("needsAttention").GetBoolean());
    }

    [Fact]
    public async Task The_face_image_is_read_for_vneid_only_after_the_consent_that_names_it()
    {
        await StartHostAsync(_card.Chip());
        static bool ReadsDg2(byte[] c) => c is [0x00, 0xB0, 0x82, ..] || Convert.ToHexString(c) == "00A4020C020102";

        await ReadCardAsync("thong-bao-luu-tru", "form");
        Assert.DoesNotContain(_chip.Commands, ReadsDg2);
        Assert.Equal("verified", (await _http.GetFromJsonAsync<JsonElement>("/api/session/card")).GetProperty("verification").GetProperty("trust").GetString());
        (await _http.PostAsJsonAsync("/api/session/end", new { })).EnsureSuccessStatusCode();
        _firmware.Raise(new DeviceEvent.CardRemoved());

        _chip.Commands.Clear();
        await ReadCardAsync("ho-tro-vneid", "form");
        Assert.Contains(_chip.Commands, ReadsDg2);
        using var submit = await _http.PostAsJsonAsync("/api/session/submit/ho-tro-vneid", new { level = 1, phone = "0912345678" });
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        var dossier = JsonDocument.Parse(Assert.Single(Store.AllDossiers()).FormJson).RootElement;
        var purposes = dossier.GetProperty("consents").EnumerateArray().Select(c => c.GetProperty("purpose").GetString()!).ToList();
        Assert.Contains(purposes, p => p.Contains("ảnh chân dung", StringComparison.Ordinal));
        Assert.Equal([1, 2, 13, 14, 15], dossier.GetProperty("verification").GetProperty("dataGroupsRead").EnumerateArray().Select(e => e.GetInt32()));
    }
}
