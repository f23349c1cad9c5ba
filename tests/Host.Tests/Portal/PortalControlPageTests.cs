using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Portal;

/// <summary>The portal simulator's control page at <c>/</c>: served, self-contained, and every call it makes is a route.</summary>
public partial class PortalControlPageTests
{
    [GeneratedRegex("""\bapi\('(?<method>GET|PUT|POST|DELETE)',\s*'(?<path>[^']+)'(?:\s*\+\s*[^+;]+?\s*\+\s*'(?<suffix>[^']*)')?""")]
    private static partial Regex ApiCall();

    [GeneratedRegex("""\bfetch\('(?<path>[^']+)'""")]
    private static partial Regex FetchCall();

    private static async Task<(HttpClient Http, string Html)> Page(PortalServer portal)
    {
        var http = portal.Client();
        using var response = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return (http, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_page_is_served_in_Vietnamese_with_English_and_loads_nothing_from_outside()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        var (http, html) = await Page(portal);
        using var _ = http;
        Assert.Contains("<html lang=\"vi\">", html);
        Assert.Contains("Hồ sơ đã nhận", html);
        Assert.Contains("class=\"en\"", html);
        Assert.DoesNotMatch(new Regex("https?:|//[a-z0-9]|<link|<img|\\bsrc=|@import|url\\(", RegexOptions.IgnoreCase), html);
        // Every fault setting and every lifecycle code can be set from the page.
        foreach (var setting in new[] { "down", "latencyMs", "latencyJitterMs", "errorRate", "status", "retryAfterSeconds", "timeoutRate", "holdMs", "dropAfterCommitRate", "duplicateRate", "seed" })
            Assert.Contains($"id=\"{setting}\"", html);
        for (var code = 1; code <= 10; code++) Assert.Contains($"[{code}, '", html);
        Assert.Contains("clientCertificate", html);
        Assert.Contains("submissions", html);
    }

    [Fact]
    public async Task Every_call_the_page_makes_answers_as_a_route()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        var (http, html) = await Page(portal);
        using var _ = http;
        using (var submit = new HttpRequestMessage(HttpMethod.Post, "api/dossiers")
        {
            Content = new StringContent("""{"procedure":"thong-bao-luu-tru","kioskId":"kiosk-test"}""", Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", "control-page-test" } },
        })
        using (var created = await http.SendAsync(submit)) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var code = (await http.GetFromJsonAsync<JsonElement>("api/dossiers"))[0].GetProperty("code").GetString()!;

        var calls = ApiCall().Matches(html).Select(m => (m.Groups["method"].Value, Path(m.Groups["path"].Value, m.Groups["suffix"])))
            .Concat(FetchCall().Matches(html).Select(m => ("GET", Path(m.Groups["path"].Value, null))))
            .Distinct().ToList();
        Assert.Contains(("PUT", "/api/faults"), calls);
        Assert.Contains(("DELETE", "/api/faults"), calls);
        Assert.Contains(("GET", "/api/faults"), calls);
        Assert.Contains(("POST", $"/api/dossiers/{code}/status"), calls);
        Assert.Contains(calls, c => c.Item1 == "GET" && c.Item2.StartsWith("/api/dossiers?last=", StringComparison.Ordinal));

        foreach (var (method, path) in calls)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "PUT") request.Content = JsonContent.Create(new { errorRate = 0.5, status = 503, retryAfterSeconds = 5, seed = 3 });
            if (method == "POST") request.Content = JsonContent.Create(new { status = 4 });
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{method} {path} → {(int)response.StatusCode}");
        }

        // The list the page shows: newest first, limited, with the total in a header.
        using var list = await http.GetAsync("api/dossiers?last=200");
        Assert.Equal("1", list.Headers.GetValues("X-Total-Count").Single());
        var row = (await list.Content.ReadFromJsonAsync<JsonElement>())[0];
        Assert.Equal(code, row.GetProperty("code").GetString());
        Assert.Equal(4, row.GetProperty("status").GetInt32());
        Assert.Equal(1, row.GetProperty("submissions").GetInt32());
        Assert.True(row.TryGetProperty("clientCertificate", out var _));
        using var bad = await http.GetAsync("api/dossiers?last=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        string Path(string path, Group? suffix) =>
            suffix is { Success: true } ? path + code + suffix.Value : path.EndsWith('=') ? path + "5" : path;
    }
}
