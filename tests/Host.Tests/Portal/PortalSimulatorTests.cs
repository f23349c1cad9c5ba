using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Portal;

public class PortalSimulatorTests
{
    private static HttpRequestMessage Post(string? key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/dossiers") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private const string Body = """{"procedure":"thong-bao-luu-tru","kioskId":"kiosk-test","submittedAt":"2026-11-26T03:00:00Z","form":{"reason":"Thăm"}}""";

    [Fact]
    public async Task Creates_replays_and_rejects_a_reused_key()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        using var http = portal.Client();
        var key = Guid.NewGuid().ToString();

        using var first = await http.SendAsync(Post(key, Body));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync();
        var doc = JsonDocument.Parse(firstBody).RootElement;
        var code = doc.GetProperty("code").GetString()!;
        Assert.Matches(@"^LT-\d{8}-\d{6}$", code);
        Assert.Equal(1, doc.GetProperty("status").GetInt32());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));

        // Same key, same body with another key order and whitespace → replay.
        const string sameBodyReordered = """{ "form": {"reason":"Thăm"}, "submittedAt":"2026-11-26T03:00:00Z", "kioskId":"kiosk-test", "procedure":"thong-bao-luu-tru" }""";
        using var second = await http.SendAsync(Post(key, sameBodyReordered));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(firstBody, await second.Content.ReadAsStringAsync());

        using var third = await http.SendAsync(Post(key, Body.Replace("Thăm", "Công tác")));
        Assert.Equal((HttpStatusCode)422, third.StatusCode);
        Assert.Equal("idempotency-key-reused", JsonDocument.Parse(await third.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());

        var one = await http.GetFromJsonAsync<JsonElement>($"api/dossiers/{code}");
        Assert.Equal(code, one.GetProperty("code").GetString());
        Assert.Equal(doc.GetProperty("receivedAt").GetDateTimeOffset(), one.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.EndsWith("Z", one.GetProperty("receivedAt").GetString());
        var list = await http.GetFromJsonAsync<JsonElement>("api/dossiers");
        var entry = Assert.Single(list.EnumerateArray());
        Assert.Equal(key, entry.GetProperty("idempotencyKey").GetString());
        Assert.Equal(2, entry.GetProperty("submissions").GetInt32());
    }

    [Fact]
    public async Task Bad_requests()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        using var http = portal.Client();
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(Post(null, Body))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(Post("k1", "{not json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(Post("k2", """{"kioskId":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/dossiers/LT-00000000-000000")).StatusCode);
    }

    [Fact]
    public async Task State_survives_a_restart_and_codes_keep_counting()
    {
        using var dir = new TempDir();
        string code;
        await using (var portal = await PortalServer.StartAsync(dir.Path))
        {
            using var http = portal.Client();
            using var r = await http.SendAsync(Post("key-a", Body));
            code = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString()!;
        }
        await using (var portal = await PortalServer.StartAsync(dir.Path))
        {
            using var http = portal.Client();
            using var replay = await http.SendAsync(Post("key-a", Body));
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(code, JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
            using var next = await http.SendAsync(Post("key-b", Body));
            var nextCode = JsonDocument.Parse(await next.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString()!;
            Assert.NotEqual(code, nextCode);
            Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>("api/dossiers")).GetArrayLength());
        }
    }

    [Fact]
    public async Task Concurrent_duplicates_create_one_dossier()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        using var http = portal.Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.SendAsync(Post("same", Body))));
        var codes = await Task.WhenAll(responses.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString()));
        Assert.Single(codes.Distinct());
        Assert.Equal(8, (await http.GetFromJsonAsync<JsonElement>("api/dossiers"))[0].GetProperty("submissions").GetInt32());
    }
}
