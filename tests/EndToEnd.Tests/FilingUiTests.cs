using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace EndToEnd.Tests;

/// <summary>
/// The residents' page in headless Chromium against one simulated kiosk: the service chooser, each of the five services'
/// main path and main errors, dossier lookup, the on-screen keyboard (Telex/VNI), the idle warning, English and the
/// high-contrast mode, the idle timeout and card removal leaving no trace, the script budget. Every screen is saved as a screenshot (screenshots/) and checked with axe-core.
/// </summary>
public sealed class FilingUiTests(SimulatedKiosk kiosk, Chromium chromium) : IClassFixture<SimulatedKiosk>, IClassFixture<Chromium>
{
    [Fact]
    public async Task Chooser_lookup_english_and_high_contrast_screens()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await CheckScreenAsync(page, "chooser");
            Assert.Equal(6, await page.Locator("#step-idle button.service").CountAsync());
            foreach (var box in await Task.WhenAll((await page.Locator("button:visible").AllAsync()).Select(b => b.BoundingBoxAsync())))
                Assert.True(box!.Height >= 48 && box.Width >= 48, $"touch target {box.Width}x{box.Height}");

            // Lookup: a malformed code and an unknown one are explained.
            await page.ClickAsync("#btn-lookup");
            await page.Locator("#step-lookup").WaitForAsync();
            await page.FillAsync("#lookupCode", "abc");
            await page.ClickAsync("#lookup-form button[type=submit]");
            await Expect(page.Locator("#lookup-error")).ToContainTextAsync("không đúng dạng");
            await page.FillAsync("#lookupCode", "LT-20000101-999999");
            await page.ClickAsync("#lookup-form button[type=submit]");
            await Expect(page.Locator("#lookup-error")).ToContainTextAsync("Không tìm thấy");
            await CheckScreenAsync(page, "lookup-not-found");
            await page.ClickAsync("#step-lookup .btn-home");
            await page.Locator("#step-idle").WaitForAsync();

            await page.ClickAsync("#lang");
            await Expect(page.Locator("#h-idle")).ToHaveTextAsync("Welcome");
            Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
            await CheckScreenAsync(page, "chooser-english");
            await page.ClickAsync("#lang");
            await Expect(page.Locator("#h-idle")).ToHaveTextAsync("Xin chào");

            // Spoken guidance: the host speaks the screen's prompt with espeak-ng (cached WAV).
            var spoken = page.WaitForResponseAsync(r => r.Url.Contains("/api/speech/vi/chooseService"));
            await page.ClickAsync("#speech");
            var speech = await spoken;
            Assert.Equal(200, speech.Status);
            Assert.Equal("audio/wav", speech.Headers["content-type"]);
            await page.ClickAsync("#speech");

            await page.ClickAsync("#contrast");
            Assert.Equal("true", await page.GetAttributeAsync("#contrast", "aria-pressed"));
            await CheckScreenAsync(page, "chooser-high-contrast");
        });
    }

    [Fact]
    public async Task Temporary_residence_main_path_errors_fingerprint_consent_and_lookup_of_the_code()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await StartServiceAsync(page, "dang-ky-tam-tru", "nguyen-van-an", "tam-tru");
            await page.ClickAsync("#btn-fp-agree");
            await page.Locator("#step-form").WaitForAsync();
            await Expect(page.Locator("#service-info")).ToContainTextAsync("03 ngày làm việc");
            await Expect(page.Locator("#service-info")).ToContainTextAsync("15.000 đ");
            // The chip's pre-2025 address (Dịch Vọng Hậu) maps to two new wards: both offered.
            await Expect(page.Locator("#suggestions .suggest")).ToHaveCountAsync(2);
            await CheckScreenAsync(page, "tam-tru-form");

            await page.ClickAsync("#btn-submit");
            await Expect(page.Locator("[data-error=phone]")).ToContainTextAsync("Vui lòng nhập số điện thoại");
            await Expect(page.Locator("[data-error=proofDocument]")).Not.ToBeEmptyAsync();
            await CheckScreenAsync(page, "tam-tru-errors");

            await page.FillAsync("#phone", "0912345678");
            await page.SelectOptionAsync("#relationshipToHead", "chu-ho");
            await page.FillAsync("#addressLine", "Số 5 ngõ 10 Nguyễn Khánh Toàn");
            await page.Locator("#suggestions .suggest", new() { HasText = "Phường Nghĩa Đô" }).ClickAsync();
            await Expect(page.Locator("#wardCode")).ToHaveValueAsync("160");
            await page.FillAsync("#fromDate", DateTime.Now.ToString("dd/MM/yyyy"));
            await page.FillAsync("#toDate", DateTime.Now.AddYears(3).ToString("dd/MM/yyyy"));
            await page.CheckAsync("#proofDocument-hop-dong-thue-muon");
            await page.ClickAsync("#btn-submit");
            await Expect(page.Locator("[data-error=toDate]")).ToContainTextAsync("tối đa là 02 năm");

            // A minor in the household needs the guardian's consent.
            await page.FillAsync("#toDate", DateTime.Now.AddMonths(6).ToString("dd/MM/yyyy"));
            await page.ClickAsync("#btn-add-member");
            await page.FillAsync("#m0-fullName", "Nguyễn Minh Khôi");
            await page.FillAsync("#m0-dateOfBirth", "01/06/2015");
            await page.SelectOptionAsync("#m0-sex", "Nam");
            await page.FillAsync("#m0-idNumber", "001215000123");
            await page.SelectOptionAsync("#m0-relationship", "con");
            await page.ClickAsync("#btn-submit");
            await Expect(page.Locator("[data-error=guardianConsent]")).Not.ToBeEmptyAsync();
            await page.FillAsync("#guardianName", "Nguyễn Văn An");
            await page.FillAsync("#guardianIdNumber", "001085012345");
            await page.CheckAsync("#guardianConsent");
            await page.ClickAsync("#btn-submit");

            var code = await DoneCodeAsync(page, "TT", "tam-tru-done");
            var portal = await kiosk.GetJsonAsync(kiosk.Ports.PortalUrl + "/api/dossiers");
            Assert.Contains(portal.EnumerateArray(), d => d.GetProperty("code").GetString() == code);

            await page.ClickAsync("#step-done .btn-end");
            await page.Locator("#step-idle").WaitForAsync();
            Assert.DoesNotContain("Nguyễn Văn An", await page.ContentAsync());
            await page.ClickAsync("#btn-lookup");
            await page.FillAsync("#lookupCode", code);
            await page.ClickAsync("#lookup-form button[type=submit]");
            await Expect(page.Locator("#lookup-result")).ToContainTextAsync("Mới đăng ký");
            await CheckScreenAsync(page, "lookup-found");
        });
    }

    [Fact]
    public async Task Permanent_residence_needs_the_condition_and_its_documents()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await StartServiceAsync(page, "dang-ky-thuong-tru", "tran-thi-mai", "thuong-tru");
            await page.ClickAsync("#btn-fp-decline");
            await page.Locator("#step-form").WaitForAsync();
            await Expect(page.Locator("#service-info")).ToContainTextAsync("07 ngày làm việc");
            await page.FillAsync("#phone", "0987654321");
            await page.SelectOptionAsync("#relationshipToHead", "vo");
            await page.FillAsync("#householdHeadName", "Phạm Văn Long");
            await page.FillAsync("#householdHeadIdNumber", "079090001234");
            await page.FillAsync("#addressLine", "Số 45 Nguyễn Thị Minh Khai");
            await page.SelectOptionAsync("#provinceCode", "79");
            await page.SelectOptionAsync("#wardCode", new SelectOptionValue { Label = "Phường Bến Thành" });
            await page.CheckAsync("#condition-quan-he");
            await page.CheckAsync("#proofDocuments-giay-chung-nhan");
            await page.ClickAsync("#btn-submit");
            await Expect(page.Locator("[data-error=proofDocuments]")).ToContainTextAsync("quan hệ nhân thân");
            await Expect(page.Locator("[data-error=ownerConsent]")).Not.ToBeEmptyAsync();
            await CheckScreenAsync(page, "thuong-tru-errors");
            await page.CheckAsync("#proofDocuments-giay-to-quan-he");
            await page.CheckAsync("#ownerConsent");
            await page.ClickAsync("#btn-submit");
            await DoneCodeAsync(page, "TH", "thuong-tru-done");
        });
    }

    [Fact]
    public async Task Old_id_number_is_shown_from_the_chip_and_a_request_is_filed_only_when_missing()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await StartServiceAsync(page, "xac-nhan-cmnd", "nguyen-van-an", "cmnd");
            await page.ClickAsync("#btn-fp-decline");
            await Expect(page.Locator("#old-id")).ToHaveTextAsync("012345678");
            Assert.False(await page.IsVisibleAsync("#btn-submit"));
            await CheckScreenAsync(page, "cmnd-on-chip");
            await page.ClickAsync("#step-form .btn-end");
            await page.Locator("#step-idle").WaitForAsync();
            await RemoveCardAndWaitAsync();

            await StartServiceAsync(page, "xac-nhan-cmnd", "le-hoang-nam", null);
            await page.ClickAsync("#btn-fp-decline");
            await Expect(page.Locator("#cmnd-info")).ToContainTextAsync("chưa có số CMND");
            await page.FillAsync("#phone", "12345");
            await page.ClickAsync("#btn-submit");
            await Expect(page.Locator("[data-error=phone]")).ToContainTextAsync("không hợp lệ");
            await CheckScreenAsync(page, "cmnd-missing-errors");
            await page.FillAsync("#phone", "0905123456");
            await page.FillAsync("#oldIdNumber", "201234567");
            await page.ClickAsync("#btn-submit");
            await DoneCodeAsync(page, "XN", "cmnd-done");
        });
    }

    [Fact]
    public async Task Vneid_level_1_is_filed_and_level_2_is_handed_to_staff()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await StartServiceAsync(page, "ho-tro-vneid", "tran-thi-mai", "vneid");
            await page.ClickAsync("#btn-fp-agree");
            await Expect(page.Locator("#vneid-note")).ToContainTextAsync("gửi kèm hồ sơ");
            await page.CheckAsync("#level2");
            await Expect(page.Locator("#vneid-note")).ToContainTextAsync("gặp cán bộ");
            Assert.False(await page.IsVisibleAsync("#btn-submit"));
            await CheckScreenAsync(page, "vneid-level2");
            await page.CheckAsync("#level1");
            await page.FillAsync("#email", "mai@example");
            await page.ClickAsync("#btn-submit");
            await Expect(page.Locator("[data-error=email]")).ToContainTextAsync("không hợp lệ");
            await page.FillAsync("#email", "mai@example.com");
            await page.ClickAsync("#btn-submit");
            await DoneCodeAsync(page, "HS", "vneid-done");
        });
    }

    [Fact]
    public async Task Residence_notification_for_a_guest_without_a_card_after_23h()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await StartServiceAsync(page, "thong-bao-luu-tru", "le-hoang-nam", "luu-tru");
            await page.ClickAsync("#btn-fp-decline");
            await page.CheckAsync("#guestToggle");
            await page.FillAsync("#guestName", "John Smith");
            await page.SelectOptionAsync("#guestDocType", "passport");
            await page.FillAsync("#guestDocNumber", "12");
            await page.FillAsync("#addressLine", "Tổ 5 Hòa Khánh Bắc");
            await page.SelectOptionAsync("#provinceCode", "1");
            await page.SelectOptionAsync("#wardCode", "160");
            await page.FillAsync("#fromDate", DateTime.Now.ToString("dd/MM/yyyy"));
            await page.FillAsync("#toDate", DateTime.Now.AddDays(2).ToString("dd/MM/yyyy"));
            await page.FillAsync("#arrivalTime", "23:30");
            await page.FillAsync("#reason", "Du lịch");
            await page.ClickAsync("#btn-submit");
            await Expect(page.Locator("[data-error='guest.documentNumber']")).ToContainTextAsync("hộ chiếu");
            await CheckScreenAsync(page, "luu-tru-guest-errors");
            await page.FillAsync("#guestDocNumber", "X1234567");
            await page.ClickAsync("#btn-submit");
            await DoneCodeAsync(page, "LT", "luu-tru-guest-done");
            await Expect(page.Locator("#done-deadline")).ToContainTextAsync("08:00");
        });
    }

    [Fact]
    public async Task On_screen_keyboard_types_Vietnamese_with_Telex_and_VNI_and_the_idle_warning_gives_time()
    {
        await ResetAsync();
        // Playwright's clock: the idle warning comes when the test moves the time on, not when a slow card read (a loaded
        // machine) happens to leave the screen untouched for a few seconds.
        var page = await OpenAsync(fakeClock: true);
        await RunAsync(page, async () =>
        {
            int historyAtStart = await page.EvaluateAsync<int>("history.length");
            // The transformation functions themselves.
            var cases = new Dictionary<string, string[]>
            {
                ["Việt Nam"] = ["Vieetj Nam", "telex"], ["Nguyễn Văn An"] = ["Nguyeenx Vawn An", "telex"], ["Thường"] = ["Thuwowngf", "telex"],
                ["đâu"] = ["ddaau", "telex"], ["hoà"] = ["hoaf", "telex"], ["Việt"] = ["Vie65t", "vni"], ["thường"] = ["thu7o72ng", "vni"], ["đâu "] = ["d9a6u ", "vni"],
            };
            foreach (var (expected, input) in cases)
                Assert.Equal(expected, await page.EvaluateAsync<string>("([k, m]) => VnKeys.typeAll(k, m)", input));

            await StartServiceAsync(page, "thong-bao-luu-tru", "nguyen-van-an", null);
            await page.ClickAsync("#btn-fp-decline");
            await page.ClickAsync("#reason");
            await page.Locator("#keyboard").WaitForAsync();
            foreach (var key in "vieetj")
                await page.ClickAsync($"#keyboard button[data-key='{key}']");
            await Expect(page.Locator("#reason")).ToHaveValueAsync("việt");
            await CheckScreenAsync(page, "keyboard-text");
            await page.ClickAsync("#fromDate");
            await Expect(page.Locator("#keyboard button[data-key='/']")).ToBeVisibleAsync();
            Assert.Equal(0, await page.Locator("#keyboard button[data-key='q']").CountAsync());
            await CheckScreenAsync(page, "keyboard-numeric");
            await page.ClickAsync("#keyboard button[data-action=close]");

            // Idle: the warning comes with at least 30 s to continue, and "continue" keeps the session.
            int idleSeconds = (await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/services")).GetProperty("idleSeconds").GetInt32();
            await page.Clock.RunForAsync((idleSeconds - 40) * 1000L);
            await page.Locator("#idle-warning").WaitForAsync(new() { Timeout = 15_000 });
            var text = await page.InnerTextAsync("#idle-text");
            var seconds = int.Parse(new string(text.Where(char.IsDigit).ToArray()));
            Assert.True(seconds >= 30, text);
            await CheckScreenAsync(page, "idle-warning");
            await page.ClickAsync("#btn-idle-continue");
            await Expect(page.Locator("#idle-warning")).ToBeHiddenAsync();
            Assert.Equal("form", (await Session()).GetProperty("step").GetString());

            // Removing the card ends the session: the page forgets everything without a reload.
            await kiosk.RemoveCardAsync();
            await page.Locator("#step-idle").WaitForAsync(new() { Timeout = 15_000 });
            Assert.Equal("", await page.InputValueAsync("#reason"));
            Assert.DoesNotContain("Nguyễn Văn An", await page.ContentAsync());
            Assert.Equal(historyAtStart, await page.EvaluateAsync<int>("history.length"));
        });
    }

    [Fact]
    public async Task Idle_countdown_reaching_zero_ends_the_session_and_leaves_no_trace()
    {
        await ResetAsync();
        // Playwright's clock runs the page's real timers (the warning 40 s before the end) without waiting for them.
        var page = await OpenAsync(fakeClock: true);
        await RunAsync(page, async () =>
        {
            int historyAtStart = await page.EvaluateAsync<int>("history.length");
            await StartServiceAsync(page, "thong-bao-luu-tru", "nguyen-van-an", null);
            await page.ClickAsync("#btn-fp-decline");
            await page.Locator("#step-form").WaitForAsync();
            await FillPersonalFieldsAsync(page);
            int idleSeconds = (await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/services")).GetProperty("idleSeconds").GetInt32();

            // The warning comes first, with at least 30 s to continue.
            await page.Clock.RunForAsync((idleSeconds - 40) * 1000L);
            await page.Locator("#idle-warning").WaitForAsync(new() { Timeout = 10_000 });
            var text = await page.InnerTextAsync("#idle-text");
            Assert.True(int.Parse(new string(text.Where(char.IsDigit).ToArray())) >= 30, text);
            Assert.True((await Session()).GetProperty("active").GetBoolean());

            // Nobody touches the screen: the countdown reaches 0.
            await page.Clock.RunForAsync(45_000);
            await page.Locator("#step-idle").WaitForAsync(new() { Timeout = 15_000 });
            await Expect(page.Locator("#idle-warning")).ToBeHiddenAsync();
            await SimulatedKiosk.WaitUntilAsync(async () => !(await Session()).GetProperty("active").GetBoolean(),
                TimeSpan.FromSeconds(10), "the host to end the session");
            await AssertNoTraceAsync(page);
            Assert.Equal(historyAtStart, await page.EvaluateAsync<int>("history.length"));

            // Back (and forward again) never brings the form back.
            await page.GoBackAsync();
            Assert.False(await page.IsVisibleAsync("#step-form"));
            await page.GoForwardAsync();
            await page.Locator("#step-idle").WaitForAsync(new() { Timeout = 15_000 });
            await AssertNoTraceAsync(page);
            Assert.False((await Session()).GetProperty("active").GetBoolean());
        });
    }

    [Fact]
    public async Task Card_removed_mid_form_ends_the_session_and_clears_the_screen_without_a_reload()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await StartServiceAsync(page, "dang-ky-tam-tru", "nguyen-van-an", null);
            await page.ClickAsync("#btn-fp-decline");
            await page.Locator("#step-form").WaitForAsync();
            await Expect(page.Locator("#identity")).ToContainTextAsync("Nguyễn Văn An");
            await FillPersonalFieldsAsync(page);
            await page.FillAsync("#phone", "0912345678");
            await page.ClickAsync("#btn-add-member");
            await page.FillAsync("#m0-fullName", "Nguyễn Minh Khôi");
            await page.EvaluateAsync("() => { window.__sameDocument = 'yes'; }");

            await kiosk.RemoveCardAsync();
            await page.Locator("#step-idle").WaitForAsync(new() { Timeout = 15_000 });
            Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
            Assert.False((await Session()).GetProperty("active").GetBoolean());
            await AssertNoTraceAsync(page, "Nguyễn Minh Khôi");
            Assert.Equal(0, await page.Locator("#members .member").CountAsync());
        });
    }

    [Fact]
    public async Task No_page_ships_more_than_200_KB_of_script()
    {
        const double budget = 200 * 1024;
        foreach (var path in new[] { "/", "/maintenance" })
        {
            var context = await chromium.Browser.NewContextAsync();
            try
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(kiosk.Ports.HostUrl + path, new() { WaitUntil = WaitUntilState.Load });
                await page.Locator("body[data-ready=true]").WaitForAsync();
                // Resource Timing in the real browser: every script the page loaded, as sent and as decoded.
                var sizes = await page.EvaluateAsync<double[]>("""
                    () => {
                      const js = performance.getEntriesByType("resource").filter((r) => r.initiatorType === "script" || /\.m?js(\?|$)/.test(r.name));
                      return [js.length, js.reduce((a, r) => a + r.transferSize, 0), js.reduce((a, r) => a + r.decodedBodySize, 0)];
                    }
                    """);
                Assert.True(sizes[0] >= 1 && sizes[2] > 0, $"{path}: no script measured");
                Assert.True(sizes[1] <= budget, $"{path}: {sizes[1]} bytes of script transferred");
                Assert.True(sizes[2] <= budget, $"{path}: {sizes[2]} bytes of script decoded");
            }
            finally { await context.CloseAsync(); }
        }
    }

    private const string TypedAddress = "Số 5 ngõ 10 Nguyễn Khánh Toàn";

    private static async Task FillPersonalFieldsAsync(IPage page)
    {
        await page.FillAsync("#addressLine", TypedAddress);
        await page.SelectOptionAsync("#provinceCode", "1");
        await page.SelectOptionAsync("#wardCode", "160");
        await page.FillAsync("#fromDate", DateTime.Now.ToString("dd/MM/yyyy"));
        if (await page.IsVisibleAsync("#reason")) await page.FillAsync("#reason", "Thăm người thân");
    }

    /// <summary>The chooser is shown and nothing of the resident is left: not in the DOM, not in any field.</summary>
    private static async Task AssertNoTraceAsync(IPage page, params string[] more)
    {
        Assert.True(await page.IsVisibleAsync("#step-idle"));
        var html = await page.ContentAsync();
        foreach (var personal in new[] { "Nguyễn Văn An", "001085012345", TypedAddress, "Thăm người thân", "0912345678" }.Concat(more))
            Assert.DoesNotContain(personal, html);
        Assert.Equal("", (await page.InnerTextAsync("#identity")).Trim());
        var filled = await page.EvaluateAsync<string[]>("""
            () => Array.from(document.querySelectorAll("input, select, textarea")).filter((el) =>
              (el.type === "checkbox" || el.type === "radio") ? el.checked && el.defaultChecked !== true : el.value !== "" && el.tagName !== "SELECT" || (el.tagName === "SELECT" && el.selectedIndex > 0)
            ).map((el) => el.id || el.name)
            """);
        Assert.Empty(filled);
    }

    // ---------- helpers ----------

    private Task<IPage> OpenAsync(bool fakeClock = false) => KioskBrowser.OpenKioskPageAsync(chromium.Browser, kiosk.Ports.HostUrl, fakeClock);

    private Task RunAsync(IPage page, Func<Task> body) => KioskBrowser.RunOnPageAsync(page, kiosk.Logs, body);

    private async Task StartServiceAsync(IPage page, string service, string profile, string? screenshotPrefix)
    {
        await page.ClickAsync($"button[data-service='{service}']");
        await page.Locator("#step-consent").WaitForAsync();
        if (screenshotPrefix is not null) await CheckScreenAsync(page, screenshotPrefix + "-consent");
        await page.ClickAsync("#btn-consent");
        // The CAN step comes first (the card, like a real CCCD, needs PACE); then the card goes on the reader.
        await page.Locator("#step-can").WaitForAsync();
        if (screenshotPrefix is not null) await CheckScreenAsync(page, screenshotPrefix + "-can");
        await kiosk.EnterCanAsync(page, profile);
        await page.Locator("#step-waitingCard").WaitForAsync();
        await kiosk.PlaceCardAsync(profile);
        await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 20_000 });
        if (screenshotPrefix is not null) await CheckScreenAsync(page, screenshotPrefix + "-fingerprint-consent");
    }

    private async Task<string> DoneCodeAsync(IPage page, string prefix, string screenshot)
    {
        await page.Locator("#step-done").WaitForAsync(new() { Timeout = 20_000 });
        var line = await page.InnerTextAsync("#done-code");
        await CheckScreenAsync(page, screenshot);
        Assert.StartsWith("Mã hồ sơ: ", line);
        var code = line["Mã hồ sơ: ".Length..].Trim();
        Assert.Matches($"^{prefix}-\\d{{8}}-\\d{{6}}$", code);
        return code;
    }

    private static Task CheckScreenAsync(IPage page, string name) => KioskBrowser.CheckScreenAsync(page, "filing-" + name);

    private static Task SaveScreenshotAsync(IPage page, string name) => KioskBrowser.SaveScreenshotAsync(page, "filing-" + name);

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private Task<JsonElement> Session() => kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session");

    private async Task RemoveCardAndWaitAsync()
    {
        await kiosk.RemoveCardAsync();
        await SimulatedKiosk.WaitUntilAsync(async () => !(await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the host to see the card removed");
    }

    private async Task ResetAsync()
    {
        await RemoveCardAndWaitAsync();
        await kiosk.SetPrinterAsync(coverOpen: false, paper: "ok");
        (await kiosk.PostJsonAsync(kiosk.Ports.HostUrl + "/api/session/end", new { })).Dispose();
    }
}
