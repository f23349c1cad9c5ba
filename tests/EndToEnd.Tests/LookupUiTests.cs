using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Playwright;

namespace EndToEnd.Tests;

/// <summary>
/// Dossier lookup on the residents' page against one simulated kiosk: the page asks this kiosk first (its own dossiers,
/// by code or by the reference printed on the receipt, also while the portal is down), then the portal (a dossier filed
/// elsewhere). The receipt's QR payload, typed as the scanner types it, finds the dossier either way.
/// </summary>
public sealed class LookupUiTests(SimulatedKiosk kiosk, Chromium chromium) : IClassFixture<SimulatedKiosk>, IClassFixture<Chromium>
{
    [Fact]
    public async Task Lookup_asks_this_kiosk_first_then_the_portal_and_explains_what_it_cannot_find()
    {
        var page = await KioskBrowser.OpenKioskPageAsync(chromium.Browser, kiosk.Ports.HostUrl);
        await KioskBrowser.RunOnPageAsync(page, kiosk.Logs, async () =>
        {

            // Filed here and delivered: the receipt's QR code holds the portal's code.
            var deliveredCode = await FileNotificationAsync(page);
            Assert.Matches(@"^LT-\d{8}-\d{6}$", deliveredCode);
            var qr = (await kiosk.LatestReceiptAsync()).GetProperty("qrPayloads").EnumerateArray().Single().GetString()!;
            Assert.Equal(deliveredCode, qr);

            // A dossier filed at another kiosk: the portal knows it, this kiosk does not.
            var elsewhere = await FileAtThePortalAsync();
            Assert.Equal(404, (int)(await kiosk.Http.GetAsync(kiosk.Ports.HostUrl + "/api/dossiers/" + elsewhere)).StatusCode);

            await SetPortalDownAsync(true);
            try
            {
                // Filed while the portal is down: saved at the kiosk, the receipt shows the reference (and no code).
                var reference = await FileNotificationAsync(page);
                Assert.Matches("^[0-9A-F]{8}$", reference);

                // The scanned QR code resolves offline, from this kiosk's store.
                var status = await LookUpAsync(page, qr);
                Assert.Equal("dossierStatus.1", await page.GetAttributeAsync("#lookup-status", "data-i18n"));
                Assert.False(string.IsNullOrWhiteSpace(status));
                await Expect(page.Locator("#lookup-result")).ToContainTextAsync(deliveredCode);

                // The reference on the receipt: received here, waiting to be sent, in plain words (lower case also works).
                await LookUpAsync(page, reference.ToLowerInvariant());
                await Expect(page.Locator("#lookup-status")).ToHaveTextAsync("Đã nhận tại kiosk, đang chờ gửi lên cơ quan công an. Kiosk sẽ tự gửi khi có mạng.");
                await Expect(page.Locator("#lookup-result")).ToContainTextAsync(reference);
                await KioskBrowser.CheckScreenAsync(page, "lookup-at-kiosk-offline");
                await page.ClickAsync("#lang");
                await Expect(page.Locator("#lookup-status")).ToHaveTextAsync("Received at the kiosk, waiting to be sent to the police. The kiosk sends it by itself when the network is back.");
                await KioskBrowser.CheckScreenAsync(page, "lookup-at-kiosk-offline-english");
                await page.ClickAsync("#lang");

                // Filed elsewhere while the portal is down: the page says the lookup cannot be done now.
                await LookUpAsync(page, elsewhere, expectFound: false);
                await Expect(page.Locator("#lookup-error")).ToHaveTextAsync("Chưa tra cứu được lúc này, vui lòng thử lại sau.");
            }
            finally
            {
                await SetPortalDownAsync(false);
            }

            // Back online: the code filed elsewhere is found through the portal, a receipt URL ending in the code too.
            await LookUpAsync(page, "https://dichvucong.example/tra-cuu?ma=" + elsewhere.ToLowerInvariant());
            Assert.Equal("dossierStatus.1", await page.GetAttributeAsync("#lookup-status", "data-i18n"));
            await Expect(page.Locator("#lookup-result")).ToContainTextAsync(elsewhere);
            await KioskBrowser.CheckScreenAsync(page, "lookup-found-at-portal");

            // Unknown: a clear message for a code, for a reference, and for text that is neither.
            await LookUpAsync(page, "LT-20000101-999999", expectFound: false);
            await Expect(page.Locator("#lookup-error")).ToHaveTextAsync("Không tìm thấy hồ sơ với mã này.");
            await LookUpAsync(page, "ABCDEF12", expectFound: false);
            await Expect(page.Locator("#lookup-error")).ToHaveTextAsync("Không tìm thấy hồ sơ với số tham chiếu này tại kiosk này.");
            await LookUpAsync(page, "xin chào", expectFound: false);
            await Expect(page.Locator("#lookup-error")).ToContainTextAsync("không đúng dạng");
            Assert.Equal("true", await page.GetAttributeAsync("#lookupCode", "aria-invalid"));
            await KioskBrowser.CheckScreenAsync(page, "lookup-bad-code");
        });
    }

    /// <summary>Files a residence notification by touch; returns the dossier code, or the reference when it is not delivered.</summary>
    private async Task<string> FileNotificationAsync(IPage page)
    {
        const string profile = "nguyen-van-an";
        await page.ClickAsync("button[data-service='thong-bao-luu-tru']");
        await page.ClickAsync("#btn-consent");
        await page.Locator("#step-can").WaitForAsync();
        await kiosk.EnterCanAsync(page, profile);
        await page.Locator("#step-waitingCard").WaitForAsync();
        await kiosk.PlaceCardAsync(profile);
        await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 20_000 });
        await page.ClickAsync("#btn-fp-decline");
        await page.FillAsync("#addressLine", "Số 5 ngõ 10 Nguyễn Khánh Toàn");
        await page.SelectOptionAsync("#provinceCode", "1");
        await page.SelectOptionAsync("#wardCode", "160");
        await page.FillAsync("#fromDate", DateTime.Now.ToString("dd/MM/yyyy"));
        await page.FillAsync("#toDate", DateTime.Now.AddDays(2).ToString("dd/MM/yyyy"));
        await page.FillAsync("#reason", "Thăm người thân");
        await page.ClickAsync("#btn-submit");
        await page.Locator("#step-done").WaitForAsync(new() { Timeout = 30_000 });
        var line = (await page.InnerTextAsync("#done-code")).Trim();
        await page.ClickAsync("#step-done .btn-end");
        await page.Locator("#step-idle").WaitForAsync();
        await kiosk.RemoveCardAsync();
        await SimulatedKiosk.WaitUntilAsync(async () => !(await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the host to see the card removed");
        return line.StartsWith("Mã hồ sơ: ", StringComparison.Ordinal) ? line["Mã hồ sơ: ".Length..].Trim() : line[(line.LastIndexOf(' ') + 1)..];
    }

    /// <summary>Opens the lookup screen, types the text as the scanner would, and returns the status shown (or "").</summary>
    private static async Task<string> LookUpAsync(IPage page, string text, bool expectFound = true)
    {
        if (!await page.IsVisibleAsync("#step-lookup"))
        {
            await page.ClickAsync("#btn-lookup");
            await page.Locator("#step-lookup").WaitForAsync();
        }
        await page.FillAsync("#lookupCode", text);
        await page.ClickAsync("#lookup-form button[type=submit]");
        if (!expectFound)
        {
            await Expect(page.Locator("#lookup-error")).Not.ToBeEmptyAsync();
            Assert.False(await page.IsVisibleAsync("#lookup-result"));
            return "";
        }
        await page.Locator("#lookup-result").WaitForAsync();
        Assert.Equal("", (await page.InnerTextAsync("#lookup-error")).Trim());
        return await page.InnerTextAsync("#lookup-status");
    }

    /// <summary>A dossier sent to the portal as another kiosk's relay would (mutual TLS with the demo PKI).</summary>
    private async Task<string> FileAtThePortalAsync()
    {
        var pki = kiosk.Processes.PkiFolder;
        const string name = Kiosk.DemoLauncher.KioskProcesses.KioskId;
        using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(pki, name + ".crt"), Path.Combine(pki, name + ".key"));
        using var handler = new HttpClientHandler
        {
            ClientCertificates = { X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null) },
            // The demo CA is not in the machine's store; this is the simulator on loopback.
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, kiosk.Ports.PortalTlsUrl + "/api/dossiers")
        {
            Content = JsonContent.Create(new { procedure = "thong-bao-luu-tru", kioskId = name, form = new { note = "filed elsewhere" } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await http.SendAsync(request);
        Assert.Equal(201, (int)response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    private async Task SetPortalDownAsync(bool down)
    {
        using var response = down
            ? await kiosk.Http.PutAsJsonAsync(kiosk.Ports.PortalUrl + "/api/faults", new { down = true })
            : await kiosk.Http.DeleteAsync(kiosk.Ports.PortalUrl + "/api/faults");
        response.EnsureSuccessStatusCode();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
