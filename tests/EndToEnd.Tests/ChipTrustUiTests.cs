using System.Text.Json;
using Microsoft.Playwright;

namespace EndToEnd.Tests;

/// <summary>
/// The chip-trust policy (issue 9) in headless Chromium against one simulated kiosk with every process running: a card
/// whose verification fails (a cloned chip, tampered DG13, a clone hiding DG14/DG15) is not filed and the resident is
/// sent kindly to the ward police counter, counted for the technicians; a card signed under a CSCA the kiosk does not
/// hold is filed marked for staff verification; every dossier reaches the portal with its verification record.
/// </summary>
public sealed class ChipTrustUiTests(SimulatedKiosk kiosk, Chromium chromium) : IClassFixture<SimulatedKiosk>, IClassFixture<Chromium>
{
    private const string Profile = "nguyen-van-an";

    [Theory]
    [InlineData("cloned-chip", "chip-authentication-failed")]
    [InlineData("tampered-dg13", "passive-authentication-invalid")]
    [InlineData("clone-com-without-dg14-dg15", "listed-file-not-returned")]
    [InlineData("clone-dg14-dg15-6a82", "active-authentication-not-completed")]
    public async Task A_card_that_fails_verification_is_not_filed_and_the_resident_is_sent_to_the_counter(string fault, string reason)
    {
        await ResetAsync();
        int dossiersBefore = (await PortalDossiersAsync()).GetArrayLength();
        int refusedBefore = await RefusedAsync(reason);
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await ToWaitingCardAsync(page, "thong-bao-luu-tru");
            await kiosk.PlaceCardAsync(Profile, fault);

            await page.Locator("#step-cardRefused").WaitForAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator("#h-refused")).ToHaveTextAsync("Xin mời bạn đến quầy Công an phường");
            await Expect(page.Locator("#refused-text")).ToContainTextAsync("mang theo thẻ đến quầy tiếp dân của Công an phường");
            await Expect(page.Locator("#refused-text")).ToContainTextAsync("không phải lỗi của bạn");
            // Nothing of the holder on screen, and the form is never offered.
            Assert.DoesNotContain("001085012345", await page.ContentAsync());
            Assert.False(await page.IsVisibleAsync("#step-form"));
            await CheckScreenAsync(page, "refused-" + fault);
            await page.ClickAsync("#lang");
            await Expect(page.Locator("#h-refused")).ToHaveTextAsync("Please go to the ward police counter");
            await Expect(page.Locator("#refused-text")).ToContainTextAsync("take your card to the reception counter of the ward police");
            await page.ClickAsync("#lang");

            var session = await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session");
            Assert.Equal("cardRefused", session.GetProperty("step").GetString());
            Assert.Equal(JsonValueKind.Null, session.GetProperty("identity").ValueKind);
            var verification = (await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session/card")).GetProperty("verification");
            Assert.Equal("refused", verification.GetProperty("trust").GetString());
            using (var submit = await kiosk.PostJsonAsync(kiosk.Ports.HostUrl + "/api/session/submit/thong-bao-luu-tru", new { reason = "x" }))
                Assert.Equal(System.Net.HttpStatusCode.Conflict, submit.StatusCode);

            // Counted for the technicians (maintenance API on loopback), nothing filed at the portal.
            Assert.Equal(refusedBefore + 1, await RefusedAsync(reason));
            Assert.Equal(dossiersBefore, (await PortalDossiersAsync()).GetArrayLength());
            // A security event in the host's log: the reasons, the time and the kiosk; nothing of the holder.
            string log = kiosk.Log("kiosk-host");
            Assert.Contains("Security event: card refused for self-service filing", log);
            Assert.Contains(reason, log);
            foreach (var personal in new[] { "Nguyễn", "001085012345", "085012345" }) Assert.DoesNotContain(personal, log);

            await page.ClickAsync("#step-cardRefused .btn-end");
            await page.Locator("#step-idle").WaitForAsync();
        });
    }

    [Fact]
    public async Task A_card_under_a_csca_the_kiosk_does_not_hold_is_filed_marked_for_staff_with_its_record_at_the_portal()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await ToWaitingCardAsync(page, "thong-bao-luu-tru");
            await kiosk.PlaceCardAsync(Profile, "unknown-csca");
            await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 30_000 });
            await page.ClickAsync("#btn-fp-decline");
            await page.Locator("#step-form").WaitForAsync();
            await Expect(page.Locator("#card-verification")).ToContainTextAsync("xin mang theo thẻ để cán bộ kiểm tra lại thẻ");
            await Expect(page.Locator("#card-verification")).ToHaveClassAsync("note");
            await Expect(page.Locator("#identity")).ToContainTextAsync("001085012345");
            await CheckScreenAsync(page, "untrusted-form");

            string code = await FileNotificationAsync(page);
            await Expect(page.Locator("#done-staff")).ToBeVisibleAsync();
            await Expect(page.Locator("#done-staff")).ToContainTextAsync("để cán bộ xác minh thẻ");
            await CheckScreenAsync(page, "untrusted-done");
            var receipt = await kiosk.LatestReceiptAsync();
            Assert.Contains("Mang thẻ đến quầy để cán bộ xác minh", receipt.GetProperty("plainText").GetString());

            var record = await PortalVerificationAsync(code);
            Assert.Equal("untrusted", record.GetProperty("trust").GetString());
            Assert.True(record.GetProperty("staffVerification").GetBoolean());
            Assert.Equal(["passive-authentication-untrusted"], record.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal("untrusted", record.GetProperty("passiveAuthentication").GetString());
            Assert.Contains(record.GetProperty("passiveAuthenticationFailures").EnumerateArray(), f => f.GetString()!.Contains("no CSCA in the trust store"));
            Assert.Equal("passed", record.GetProperty("chipAuthentication").GetString());
            Assert.Equal("passed", record.GetProperty("activeAuthentication").GetString());
            Assert.Equal("not-required", record.GetProperty("fingerprint").GetString());
            var listed = Assert.Single((await PortalDossiersAsync()).EnumerateArray(), d => d.GetProperty("code").GetString() == code);
            Assert.True(listed.GetProperty("staffVerification").GetBoolean());

            // The technicians see that the trust store needs attention.
            var trust = await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/maintenance/card-trust");
            Assert.Equal("attention", trust.GetProperty("trustStore").GetString());
            Assert.True(trust.GetProperty("untrustedCards").GetInt32() >= 1);
            var (exitCode, status) = await kiosk.RunKioskctlAsync("status", "--host", kiosk.Ports.HostUrl);
            Assert.Contains("Trust store   attention   <-- needs attention", status);
            Assert.Equal(0, exitCode); // not a component that is down

            // And so does the maintenance console.
            var console = await page.Context.NewPageAsync();
            await console.GotoAsync(kiosk.Ports.HostUrl + "/maintenance");
            await Expect(console.Locator("#trust-store")).ToContainTextAsync("cần kiểm tra (needs attention)", new() { Timeout = 10_000 });
            await Expect(console.Locator("#trust-store")).ToHaveClassAsync("error");
            await Expect(console.Locator("#card-trust")).ToContainTextAsync("cards refused");
            await KioskBrowser.SaveScreenshotAsync(console, "trust-maintenance");
            Assert.DoesNotContain("001085012345", await console.InnerTextAsync("body"));
        });
    }

    [Fact]
    public async Task A_genuine_card_is_filed_verified_with_its_record_at_the_portal_and_on_the_portal_page()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await ToWaitingCardAsync(page, "thong-bao-luu-tru");
            await kiosk.PlaceCardAsync(Profile);
            await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 30_000 });
            await page.ClickAsync("#btn-fp-decline");
            await page.Locator("#step-form").WaitForAsync();
            await Expect(page.Locator("#card-verification")).ToHaveTextAsync("Thẻ đã được xác thực.");
            string code = await FileNotificationAsync(page);
            await Expect(page.Locator("#done-staff")).ToBeHiddenAsync();

            var record = await PortalVerificationAsync(code);
            Assert.Equal("verified", record.GetProperty("trust").GetString());
            Assert.False(record.GetProperty("staffVerification").GetBoolean());
            Assert.Empty(record.GetProperty("reasons").EnumerateArray());
            Assert.Equal("valid", record.GetProperty("passiveAuthentication").GetString());
            Assert.Equal("passed", record.GetProperty("chipAuthentication").GetString());
            Assert.Equal("passed", record.GetProperty("activeAuthentication").GetString());
            Assert.Equal("SHA-256", record.GetProperty("sodDigestAlgorithm").GetString());
            Assert.Matches("^[0-9a-f]{64}$", record.GetProperty("sodSha256").GetString());
            Assert.Contains("CSCA", record.GetProperty("documentSignerIssuer").GetString());
            Assert.Matches("^[0-9A-F]+$", record.GetProperty("documentSignerSerialNumber").GetString());
            Assert.Equal("not-required", record.GetProperty("fingerprint").GetString());
            // Not the face image: the residence notification does not need it.
            Assert.Equal([1, 13, 14, 15], record.GetProperty("dataGroupsRead").EnumerateArray().Select(e => e.GetInt32()));
            foreach (var personal in new[] { "Nguyễn", "001085012345" }) Assert.DoesNotContain(personal, record.ToString());

            // The portal simulator's control page shows it.
            var portal = await page.Context.NewPageAsync();
            await portal.GotoAsync(kiosk.Ports.PortalUrl + "/");
            var row = portal.Locator("#dossiers tr", new() { HasText = code });
            await Assertions.Expect(row.Locator("td.verification")).ToContainTextAsync("đã xác thực (verified)", new() { Timeout = 10_000 });
            await Assertions.Expect(row.Locator("td.verification")).ToContainTextAsync("AA passed");
        });
    }

    // ---------- helpers ----------

    private async Task ToWaitingCardAsync(IPage page, string service)
    {
        await page.ClickAsync($"button[data-service='{service}']");
        await page.ClickAsync("#btn-consent");
        await page.Locator("#step-can").WaitForAsync();
        await kiosk.EnterCanAsync(page, Profile);
        await page.Locator("#step-waitingCard").WaitForAsync();
    }

    private async Task<string> FileNotificationAsync(IPage page)
    {
        await page.FillAsync("#addressLine", "Số 5 ngõ 10 Nguyễn Khánh Toàn");
        await page.SelectOptionAsync("#provinceCode", "1");
        await page.SelectOptionAsync("#wardCode", "4");
        await page.FillAsync("#fromDate", DateTime.Now.ToString("yyyy-MM-dd"));
        await page.FillAsync("#toDate", DateTime.Now.AddDays(3).ToString("yyyy-MM-dd"));
        await page.FillAsync("#reason", "Thăm người thân");
        await page.ClickAsync("#form button[type=submit]");
        await page.Locator("#step-done").WaitForAsync(new() { Timeout = 20_000 });
        string line = (await page.InnerTextAsync("#done-code")).Trim();
        Assert.Matches("^Mã hồ sơ: LT-\\d{8}-\\d{6}$", line);
        return line["Mã hồ sơ: ".Length..];
    }

    private Task<JsonElement> PortalDossiersAsync() => kiosk.GetJsonAsync(kiosk.Ports.PortalUrl + "/api/dossiers");

    private async Task<JsonElement> PortalVerificationAsync(string code) =>
        (await kiosk.GetJsonAsync(kiosk.Ports.PortalUrl + "/api/dossiers/" + code)).GetProperty("verification");

    private async Task<int> RefusedAsync(string reason)
    {
        var trust = await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/maintenance/card-trust");
        return trust.GetProperty("refusedByReason").TryGetProperty(reason, out var n) ? n.GetInt32() : 0;
    }

    private Task<IPage> OpenAsync() => KioskBrowser.OpenKioskPageAsync(chromium.Browser, kiosk.Ports.HostUrl);

    private Task RunAsync(IPage page, Func<Task> body) => KioskBrowser.RunOnPageAsync(page, kiosk.Logs, body);

    private static Task CheckScreenAsync(IPage page, string name) => KioskBrowser.CheckScreenAsync(page, "trust-" + name);

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private async Task ResetAsync()
    {
        await kiosk.RemoveCardAsync();
        await SimulatedKiosk.WaitUntilAsync(async () => !(await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the host to see the card removed");
        await kiosk.SetPrinterAsync(coverOpen: false, paper: "ok");
        (await kiosk.PostJsonAsync(kiosk.Ports.HostUrl + "/api/session/end", new { })).Dispose();
    }
}
