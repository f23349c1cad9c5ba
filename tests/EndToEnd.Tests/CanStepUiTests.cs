using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace EndToEnd.Tests;

/// <summary>
/// The CAN step in headless Chromium against one simulated kiosk whose virtual CCCD needs PACE (as a real one does):
/// the resident types the last 6 digits of the ID number on the on-screen keypad by touch, the chip is opened with PACE,
/// the identity appears and a residence notification is filed; a wrong CAN is explained and the right one then works.
/// Instead of the CAN the resident may type the MRZ details (document number, dates on the on-screen keyboard): the chip
/// opens with PACE-MRZ; a wrong date is refused by the card and explained.
/// The CAN screen is checked with axe-core and saved as a screenshot (screenshots/).
/// </summary>
public sealed class CanStepUiTests(SimulatedKiosk kiosk, Chromium chromium) : IClassFixture<SimulatedKiosk>, IClassFixture<Chromium>
{
    /// <summary>nguyen-van-an's ID number is 001085012345: the CAN is its last 6 digits.</summary>
    private const string Can = "012345";
    [Fact]
    public async Task Resident_types_the_can_on_the_keypad_and_files_with_an_access_controlled_card()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await ToCanStepAsync(page);
            await Expect(page.Locator("#can-label")).ToContainTextAsync("6 số cuối của số định danh");
            await CheckScreenAsync(page, "can");

            // The card goes on the reader first: it needs a key (6982), so the kiosk stays on the CAN step.
            await PlaceAccessControlledCardAsync("nguyen-van-an");
            await Expect(page.Locator("#can-message")).ToContainTextAsync("cần 6 số này", new() { Timeout = 20_000 });
            await Expect(page.Locator("#step-can")).ToBeVisibleAsync();

            // Too few digits: explained next to the field, nothing sent to the card.
            await TypeOnKeypadAsync(page, "01234");
            await page.ClickAsync("#can-ok");
            await Expect(page.Locator("#e-can")).ToContainTextAsync("đủ 6 chữ số");
            await page.ClickAsync("#can-back");
            await page.ClickAsync("#can-back");
            Assert.Equal("012", await page.InputValueAsync("#can"));
            await TypeOnKeypadAsync(page, "345");
            await page.ClickAsync("#can-ok");

            await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 30_000 });
            await page.ClickAsync("#btn-fp-agree");
            await page.Locator("#step-form").WaitForAsync();
            Assert.Contains("Nguyễn Văn An", await page.InnerTextAsync("#identity"));
            Assert.Contains("001085012345", await page.InnerTextAsync("#identity"));
            Assert.Equal("", await page.InputValueAsync("#can")); // the typed digits are gone from the page
            // A genuine card: PACE, EF.COM, DG1, DG2, DG13, DG14, DG15, EF.SOD, chip and active authentication, passive
            // authentication against the simulator's test CSCA (the launcher's --csca): the page says it is verified.
            await Expect(page.Locator("#card-verification")).ToHaveTextAsync("Thẻ đã được xác thực.");
            await Expect(page.Locator("#card-verification")).ToHaveClassAsync("verified");
            var verification = (await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session/card")).GetProperty("verification");
            Assert.True(verification.GetProperty("verified").GetBoolean());
            Assert.Equal("verified", verification.GetProperty("trust").GetString());
            Assert.Equal("valid", verification.GetProperty("passiveAuthentication").GetString());
            Assert.Equal("passed", verification.GetProperty("chipAuthentication").GetString());
            Assert.Equal("passed", verification.GetProperty("activeAuthentication").GetString());

            await page.FillAsync("#addressLine", "Số 5 ngõ 10 Nguyễn Khánh Toàn");
            await page.SelectOptionAsync("#provinceCode", "1");
            await page.SelectOptionAsync("#wardCode", "4");
            await page.FillAsync("#fromDate", DateTime.Now.ToString("yyyy-MM-dd"));
            await page.FillAsync("#toDate", DateTime.Now.AddDays(3).ToString("yyyy-MM-dd"));
            await page.FillAsync("#reason", "Thăm người thân");
            await page.ClickAsync("#form button[type=submit]");
            await page.Locator("#step-done").WaitForAsync(new() { Timeout = 20_000 });
            var line = await page.InnerTextAsync("#done-code");
            await SaveScreenshotAsync(page, "can-done");
            Assert.Matches("^Mã hồ sơ: LT-\\d{8}-\\d{6}$", line.Trim());
        });
    }

    [Fact]
    public async Task A_wrong_can_is_explained_with_the_tries_left_and_the_right_one_then_reads_the_card()
    {
        await ResetAsync();
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await ToCanStepAsync(page);
            await TypeOnKeypadAsync(page, "999999");
            await page.ClickAsync("#can-ok");
            await page.Locator("#step-waitingCard").WaitForAsync();
            await PlaceAccessControlledCardAsync("nguyen-van-an");

            await Expect(page.Locator("#can-message")).ToContainTextAsync("kiểm tra lại 6 số cuối của số định danh", new() { Timeout = 30_000 });
            await Expect(page.Locator("#can-message")).ToContainTextAsync("còn 2 lần");
            await Expect(page.Locator("#step-can")).ToBeVisibleAsync();
            Assert.Equal("", await page.InputValueAsync("#can"));
            await CheckScreenAsync(page, "can-wrong");

            await page.ClickAsync("#lang");
            await Expect(page.Locator("#can-message")).ToContainTextAsync("check the last 6 digits of the personal identification number");
            await page.ClickAsync("#lang");

            await TypeOnKeypadAsync(page, Can);
            await page.ClickAsync("#can-ok");
            await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 30_000 });
            await page.ClickAsync("#btn-fp-agree");
            await page.Locator("#step-form").WaitForAsync();
            Assert.Contains("Nguyễn Văn An", await page.InnerTextAsync("#identity"));
            var session = await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session");
            Assert.False(session.TryGetProperty("can", out _)); // the CAN never leaves the host
            var card = await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session/card");
            Assert.False(card.GetProperty("canEntered").GetBoolean()); // used for the read, then dropped
            Assert.Equal(2, card.GetProperty("canAttemptsLeft").GetInt32());
        });
    }

    [Fact]
    public async Task Resident_types_the_mrz_details_instead_of_the_can_and_the_card_is_read()
    {
        await ResetAsync();
        var mrz = await MrzOfAsync("nguyen-van-an");
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await ToCanStepAsync(page);
            await Expect(page.Locator("#btn-mrz")).ToHaveTextAsync("Nhập thông tin MRZ thay cho CAN");
            await page.ClickAsync("#btn-mrz");
            await Expect(page.Locator("#mrz-form")).ToBeVisibleAsync();
            await Expect(page.Locator("#can-form")).ToBeHiddenAsync();
            await Expect(page.Locator("#mrz-documentNumber-hint")).ToContainTextAsync("IDVNM");
            await CheckScreenAsync(page, "mrz");

            // Nothing typed: each field says what is missing, nothing goes to the card.
            await page.ClickAsync("#mrz-ok");
            await Expect(page.Locator("#e-mrz-documentNumber")).ToContainTextAsync("Vui lòng nhập số giấy tờ");
            await Expect(page.Locator("#e-mrz-dateOfExpiry")).ToContainTextAsync("ngày hết hạn");
            await CheckScreenAsync(page, "mrz-errors");

            await SendMrzAsync(page, mrz.DocumentNumber, mrz.DateOfBirth, mrz.DateOfExpiry);
            await page.Locator("#step-waitingCard").WaitForAsync();
            Assert.Equal("", await page.InputValueAsync("#mrz-documentNumber")); // sent: gone from the page
            await PlaceAccessControlledCardAsync("nguyen-van-an");

            await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 30_000 });
            await page.ClickAsync("#btn-fp-agree");
            await page.Locator("#step-form").WaitForAsync();
            Assert.Contains("Nguyễn Văn An", await page.InnerTextAsync("#identity"));
            Assert.Contains("001085012345", await page.InnerTextAsync("#identity"));
            var card = await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session/card");
            Assert.False(card.GetProperty("canEntered").GetBoolean()); // used for the read, then dropped
            Assert.Equal(3, card.GetProperty("canAttemptsLeft").GetInt32());
            Assert.DoesNotContain(mrz.DocumentNumber, kiosk.Logs());
        });
    }

    [Fact]
    public async Task A_wrong_date_in_the_mrz_is_refused_by_the_card_and_explained()
    {
        await ResetAsync();
        var mrz = await MrzOfAsync("nguyen-van-an");
        var page = await OpenAsync();
        await RunAsync(page, async () =>
        {
            await ToCanStepAsync(page);
            await page.ClickAsync("#btn-mrz");
            await SendMrzAsync(page, mrz.DocumentNumber, "13/03/1985", mrz.DateOfExpiry); // birth date one day off
            await page.Locator("#step-waitingCard").WaitForAsync();
            await PlaceAccessControlledCardAsync("nguyen-van-an");

            await Expect(page.Locator("#can-message")).ToContainTextAsync("Thẻ không nhận thông tin MRZ này", new() { Timeout = 30_000 });
            await Expect(page.Locator("#can-message")).ToContainTextAsync("còn 2 lần");
            await Expect(page.Locator("#mrz-form")).ToBeVisibleAsync(); // the MRZ fields again, empty
            Assert.Equal("", await page.InputValueAsync("#mrz-dateOfBirth"));
            await CheckScreenAsync(page, "mrz-wrong");
            await page.ClickAsync("#lang");
            await Expect(page.Locator("#can-message")).ToContainTextAsync("The card did not accept these MRZ details");
            await Expect(page.Locator("#btn-mrz")).ToHaveTextAsync("Enter the last 6 digits of the ID number (CAN) instead");
            await page.ClickAsync("#lang");
            var card = await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session/card");
            Assert.Equal(2, card.GetProperty("canAttemptsLeft").GetInt32());
            Assert.Equal("mrz-wrong", (await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/session")).GetProperty("readError").GetString());

            // Back to the CAN: the right one reads the card.
            await page.ClickAsync("#btn-mrz");
            await Expect(page.Locator("#can-form")).ToBeVisibleAsync();
            await TypeOnKeypadAsync(page, Can);
            await page.ClickAsync("#can-ok");
            await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 30_000 });
        });
    }

    // ---------- helpers ----------

    /// <summary>From the chooser to the CAN step of the residence notification (consent given).</summary>
    private static async Task ToCanStepAsync(IPage page)
    {
        await page.ClickAsync("button[data-service='thong-bao-luu-tru']");
        await page.ClickAsync("#btn-consent");
        await page.Locator("#step-can").WaitForAsync();
    }

    /// <summary>Types the three MRZ details on the on-screen keyboard and sends them.</summary>
    private static async Task SendMrzAsync(IPage page, string documentNumber, string dateOfBirth, string dateOfExpiry)
    {
        await TypeOnKeyboardAsync(page, "#mrz-documentNumber", documentNumber);
        await TypeOnKeyboardAsync(page, "#mrz-dateOfBirth", dateOfBirth);
        await TypeOnKeyboardAsync(page, "#mrz-dateOfExpiry", dateOfExpiry);
        await page.ClickAsync("#mrz-ok");
    }

    private Task PlaceAccessControlledCardAsync(string profile) => kiosk.PlaceCardAsync(profile); // the default card needs PACE

    private static async Task TypeOnKeypadAsync(IPage page, string digits)
    {
        foreach (var digit in digits) await page.ClickAsync($"#can-keypad button[data-digit='{digit}']");
    }

    /// <summary>A profile's MRZ details as printed on the card: the document number (ID number without its first 3
    /// digits, as the virtual card's MRZ line 1) and the dates as dd/mm/yyyy, from the simulator's GET /api/profiles.</summary>
    private async Task<(string DocumentNumber, string DateOfBirth, string DateOfExpiry)> MrzOfAsync(string profile)
    {
        var profiles = await kiosk.GetJsonAsync(kiosk.Ports.ControlUrl + "/api/profiles");
        var p = profiles.EnumerateArray().Single(p => p.GetProperty("id").GetString() == profile);
        static string Shown(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        return (p.GetProperty("idNumber").GetString()![3..], Shown(p.GetProperty("dateOfBirth").GetString()!), Shown(p.GetProperty("dateOfExpiry").GetString()!));
    }

    /// <summary>Touches a field, types on the page's on-screen keyboard, then closes the keyboard.</summary>
    private static async Task TypeOnKeyboardAsync(IPage page, string field, string text)
    {
        await page.ClickAsync(field);
        await page.Locator("#keyboard").WaitForAsync();
        foreach (var key in text) await page.ClickAsync($"#keyboard button[data-key='{key}']");
        Assert.Equal(text, await page.InputValueAsync(field));
        await page.ClickAsync("#keyboard button[data-action=close]");
    }

    private Task<IPage> OpenAsync() => KioskBrowser.OpenKioskPageAsync(chromium.Browser, kiosk.Ports.HostUrl);

    private Task RunAsync(IPage page, Func<Task> body) => KioskBrowser.RunOnPageAsync(page, kiosk.Logs, body);

    private static Task CheckScreenAsync(IPage page, string name) => KioskBrowser.CheckScreenAsync(page, "filing-" + name);

    private static Task SaveScreenshotAsync(IPage page, string name) => KioskBrowser.SaveScreenshotAsync(page, "filing-" + name);

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
