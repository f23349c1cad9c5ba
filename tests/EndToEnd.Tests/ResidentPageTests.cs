using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace EndToEnd.Tests;

/// <summary>
/// The residents' page against one simulated kiosk: what its first response carries (texts, catalogue, provinces; no
/// session, nothing personal) and what the browser still fetches at start; and every screen in English, saved as a
/// screenshot (screenshots/en-*), checked with axe-core, and searched for Vietnamese words that are not marked as
/// Vietnamese (<c>lang="vi"</c>: names and places from the chip, province and ward names). A hit means a text that does
/// not come from wwwroot/i18n/en.json.
/// </summary>
public sealed class ResidentPageTests(SimulatedKiosk kiosk, Chromium chromium) : IClassFixture<SimulatedKiosk>, IClassFixture<Chromium>
{
    [Fact]
    public async Task The_first_response_carries_the_start_up_data_and_the_browser_fetches_only_the_session_before_the_first_screen()
    {
        using var response = await kiosk.Http.GetAsync(kiosk.Ports.HostUrl + "/");
        response.EnsureSuccessStatusCode();
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        var html = await response.Content.ReadAsStringAsync();
        // The first screen's texts are in the HTML itself: it paints before any script runs.
        Assert.Contains("<h2 id=\"h-idle\" data-i18n=\"welcome\">Xin chào</h2>", html);
        Assert.DoesNotContain("<link rel=\"stylesheet\"", html);
        var at = html.IndexOf("<script type=\"application/json\" id=\"kiosk-start\">", StringComparison.Ordinal);
        Assert.True(at > 0);
        var start = html.IndexOf('>', at) + 1;
        using var data = JsonDocument.Parse(html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)]);
        Assert.Equal(["catalogue", "provinces"], data.RootElement.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(5, data.RootElement.GetProperty("catalogue").GetProperty("services").GetArrayLength());
        var provinces = data.RootElement.GetProperty("provinces");
        Assert.Equal(34, provinces.GetArrayLength());
        Assert.All(provinces.EnumerateArray(), p => Assert.False(p.TryGetProperty("wards", out _)));
        Assert.True(provinces.EnumerateArray().Sum(p => p.GetProperty("wardCount").GetInt32()) > 3000);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, kiosk.Ports.HostUrl + "/");
        conditional.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await kiosk.Http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        // In the browser: until the page is ready it asks for its scripts, the session and the event stream only.
        var context = await chromium.Browser.NewContextAsync(new() { Locale = "vi-VN" });
        try
        {
            var page = await context.NewPageAsync();
            var requested = new System.Collections.Concurrent.ConcurrentQueue<string>();
            page.Request += (_, r) => requested.Enqueue(new Uri(r.Url).AbsolutePath);
            await page.GotoAsync(kiosk.Ports.HostUrl + "/");
            await page.Locator("body[data-ready=true]").WaitForAsync();
            var beforeReady = requested.Where(p => p != "/favicon.ico" && p != "/i18n/en.json").Distinct().Order().ToList();
            Assert.Equal(["/", "/api/events", "/api/session", "/api/session/card", "/app.js", "/vnkeys.js"], beforeReady);
            // English comes after the first screen; wards only when a province is chosen.
            await SimulatedKiosk.WaitUntilAsync(() => Task.FromResult(requested.Contains("/i18n/en.json")), TimeSpan.FromSeconds(10), "the English texts");
            Assert.DoesNotContain(requested, p => p.StartsWith("/api/places", StringComparison.Ordinal) || p == "/api/services" || p == "/i18n/vi.json");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static readonly (string Service, string Profile, string Name)[] Services =
    [
        ("thong-bao-luu-tru", "nguyen-van-an", "luu-tru"), ("dang-ky-tam-tru", "nguyen-van-an", "tam-tru"),
        ("dang-ky-thuong-tru", "tran-thi-mai", "thuong-tru"), ("xac-nhan-cmnd", "le-hoang-nam", "cmnd"),
        ("ho-tro-vneid", "tran-thi-mai", "vneid"),
    ];

    // Letters only Vietnamese uses (lower case; the check lower-cases the text first).
    private const string VietnameseLetters =
        "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";

    /// <summary>
    /// Visible text and attributes (placeholder, aria-label, title) of the page that are in English context yet hold
    /// Vietnamese letters or an unfilled template.
    /// </summary>
    private const string VietnameseInEnglishScript = """
        (letters) => {
          // Vietnamese letters, or a template or value the page failed to fill in.
          const viet = (s) => [...(s || "").toLowerCase()].some((c) => letters.includes(c)) || /\$\{|\bundefined\b|\bnull\b/.test(s || "");
          const english = (el) => { const l = el.closest("[lang]"); return !l || l.getAttribute("lang") === "en"; };
          const seen = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
          const hits = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode, el = node.parentElement;
            if (!el || el.closest("script, style, option") || !english(el) || !seen(el)) continue;
            if (viet(node.textContent)) hits.push(`${el.tagName.toLowerCase()}#${el.id}: ${node.textContent.trim()}`);
          }
          document.querySelectorAll("select").forEach((sel) => {
            if (!seen(sel) || !english(sel)) return;
            Array.from(sel.options).forEach((o) => { if (english(o) && viet(o.textContent)) hits.push(`select#${sel.id} option: ${o.textContent}`); });
          });
          document.querySelectorAll("[placeholder], [aria-label], [title]").forEach((el) => {
            if (!seen(el) || !english(el)) return;
            ["placeholder", "aria-label", "title"].forEach((a) => { if (viet(el.getAttribute(a))) hits.push(`${el.id} @${a}: ${el.getAttribute(a)}`); });
          });
          return hits;
        }
        """;

    [Fact]
    public async Task Every_screen_in_English_comes_from_the_english_resource_file()
    {
        var page = await KioskBrowser.OpenKioskPageAsync(chromium.Browser, kiosk.Ports.HostUrl);
        await KioskBrowser.RunOnPageAsync(page, kiosk.Logs, async () =>
        {
            await page.ClickAsync("#lang");
            await Assertions.Expect(page.Locator("#h-idle")).ToHaveTextAsync("Welcome");
            await CheckAsync(page, "chooser");

            await page.ClickAsync("#btn-lookup");
            await page.Locator("#step-lookup").WaitForAsync();
            await page.FillAsync("#lookupCode", "LT-20000101-999999");
            await page.ClickAsync("#lookup-form button[type=submit]");
            await Assertions.Expect(page.Locator("#lookup-error")).ToHaveTextAsync("No dossier has this code.");
            await CheckAsync(page, "lookup-not-found");
            await page.ClickAsync("#step-lookup .btn-home");

            foreach (var (service, profile, name) in Services)
            {
                await page.ClickAsync($"button[data-service='{service}']");
                await page.Locator("#step-consent").WaitForAsync();
                await CheckAsync(page, name + "-consent");
                await page.ClickAsync("#btn-consent");
                await page.Locator("#step-can").WaitForAsync();
                await CheckAsync(page, name + "-can");
                await kiosk.EnterCanAsync(page, profile);
                await page.Locator("#step-waitingCard").WaitForAsync();
                await CheckAsync(page, name + "-waiting-card");
                await kiosk.PlaceCardAsync(profile);
                await page.Locator("#step-fingerprint").WaitForAsync(new() { Timeout = 20_000 });
                await CheckAsync(page, name + "-fingerprint-consent");
                await page.ClickAsync("#btn-fp-decline");
                await page.Locator("#step-form").WaitForAsync();
                await Assertions.Expect(page.Locator("#identity")).Not.ToBeEmptyAsync();
                await CheckAsync(page, name + "-form");
                if (service is "dang-ky-tam-tru" or "dang-ky-thuong-tru") await page.ClickAsync("#btn-add-member");
                if (await page.IsVisibleAsync("#btn-submit"))
                {
                    await page.ClickAsync("#btn-submit");
                    await page.Locator("#error-summary").WaitForAsync();
                    await CheckAsync(page, name + "-errors");
                }
                if (service == "ho-tro-vneid")
                {
                    await page.CheckAsync("#level2");
                    await CheckAsync(page, name + "-level2");
                }
                if (service == "thong-bao-luu-tru")
                {
                    // The on-screen keyboard, then a filing to the end.
                    await page.ClickAsync("#reason");
                    await page.Locator("#keyboard").WaitForAsync();
                    await CheckAsync(page, name + "-keyboard");
                    await page.ClickAsync("#keyboard button[data-action=close]");
                    await page.FillAsync("#reason", "Visiting family");
                    await page.FillAsync("#addressLine", "5 Nguyen Khanh Toan");
                    await page.SelectOptionAsync("#provinceCode", "1");
                    await page.SelectOptionAsync("#wardCode", "160");
                    await page.FillAsync("#fromDate", DateTime.Now.ToString("dd/MM/yyyy"));
                    await page.FillAsync("#toDate", DateTime.Now.AddDays(2).ToString("dd/MM/yyyy"));
                    await page.ClickAsync("#btn-submit");
                    await page.Locator("#step-done").WaitForAsync(new() { Timeout = 30_000 });
                    await Assertions.Expect(page.Locator("#done-code")).ToContainTextAsync("Dossier code");
                    await CheckAsync(page, name + "-done");
                    await page.ClickAsync("#step-done .btn-end");
                }
                else
                {
                    await page.ClickAsync("#step-form .btn-end");
                }
                await page.Locator("#step-idle").WaitForAsync();
                Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
                await kiosk.RemoveCardAsync();
                await SimulatedKiosk.WaitUntilAsync(async () => !(await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
                    TimeSpan.FromSeconds(15), "the host to see the card removed");
            }
        });
    }

    private static async Task CheckAsync(IPage page, string name)
    {
        await KioskBrowser.CheckScreenAsync(page, "en-" + name);
        var hits = await page.EvaluateAsync<string[]>(VietnameseInEnglishScript, VietnameseLetters);
        Assert.True(hits.Length == 0, $"en-{name}: Vietnamese text on the English screen: " + string.Join(" | ", hits));
    }
}
