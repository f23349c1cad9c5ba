using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Portal;

/// <summary>The portal simulator's fault injection (<c>/api/faults</c>) and status changes, over HTTP.</summary>
public class PortalFaultTests
{
    private const string Body = """{"procedure":"thong-bao-luu-tru","kioskId":"kiosk-test"}""";

    private static HttpRequestMessage Post(string key) =>
        new(HttpMethod.Post, "api/dossiers") { Content = new StringContent(Body, Encoding.UTF8, "application/json"), Headers = { { "Idempotency-Key", key } } };

    private static async Task SetFaults(HttpClient http, object settings)
    {
        using var response = await http.PutAsJsonAsync("api/faults", settings);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> List(HttpClient http) => await http.GetFromJsonAsync<JsonElement>("api/dossiers");

    [Fact]
    public async Task Errors_with_retry_after_touch_nothing_and_get_shows_settings_and_counters()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        using var http = portal.Client();
        var initial = await http.GetFromJsonAsync<JsonElement>("api/faults");
        Assert.False(initial.GetProperty("settings").GetProperty("down").GetBoolean());

        await SetFaults(http, new { errorRate = 1.0, status = 503, retryAfterSeconds = 7 });
        using var r503 = await http.SendAsync(Post("k1"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r503.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), r503.Headers.RetryAfter?.Delta);

        await SetFaults(http, new { errorRate = 1.0, status = 429, retryAfterSeconds = 3 });
        using var r429 = await http.SendAsync(Post("k1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, r429.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), r429.Headers.RetryAfter?.Delta);

        await SetFaults(http, new { errorRate = 1.0, status = 500 });
        using var r500 = await http.SendAsync(Post("k1"));
        Assert.Equal(HttpStatusCode.InternalServerError, r500.StatusCode);
        Assert.Null(r500.Headers.RetryAfter);

        Assert.Equal(0, (await List(http)).GetArrayLength());
        var state = await http.GetFromJsonAsync<JsonElement>("api/faults");
        Assert.Equal(1, state.GetProperty("counters").GetProperty("errors").GetInt32());
        Assert.Equal(500, state.GetProperty("settings").GetProperty("status").GetInt32());

        using var bad = await http.PutAsJsonAsync("api/faults", new { errorRate = 2.0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var cleared = await http.DeleteAsync("api/faults");
        using var ok = await http.SendAsync(Post("k1"));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task Drop_after_commit_stores_the_dossier_but_the_client_gets_no_answer_then_a_retry_replays()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        using var http = portal.Client();
        await SetFaults(http, new { dropAfterCommitRate = 1.0 });
        await Assert.ThrowsAsync<HttpRequestException>(() => http.SendAsync(Post("lost")));
        var only = Assert.Single((await List(http)).EnumerateArray());
        Assert.Equal("lost", only.GetProperty("idempotencyKey").GetString());

        using var retry = await http.SendAsync(Post("lost"));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, Assert.Single((await List(http)).EnumerateArray()).GetProperty("submissions").GetInt32());
    }

    [Fact]
    public async Task Down_aborts_every_dossier_request_timeouts_hold_and_latency_delays()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        using var http = portal.Client();
        using (var created = await http.SendAsync(Post("a"))) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var code = Assert.Single((await List(http)).EnumerateArray()).GetProperty("code").GetString()!;

        await SetFaults(http, new { down = true });
        await Assert.ThrowsAsync<HttpRequestException>(() => http.SendAsync(Post("b")));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("api/dossiers/" + code));

        await SetFaults(http, new { timeoutRate = 1.0, holdMs = 5000 });
        using var impatient = new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromMilliseconds(400) };
        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.SendAsync(Post("c")));

        await SetFaults(http, new { latencyMs = 300 });
        var started = DateTime.UtcNow;
        using (var slow = await http.SendAsync(Post("d"))) Assert.Equal(HttpStatusCode.Created, slow.StatusCode);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(280));
        Assert.Equal(2, (await List(http)).GetArrayLength());
    }

    [Fact]
    public async Task Duplicate_delivery_files_once_and_counts_two_submissions()
    {
        using var dir = new TempDir();
        await using var portal = await PortalServer.StartAsync(dir.Path);
        using var http = portal.Client();
        await SetFaults(http, new { duplicateRate = 1.0 });
        using var response = await http.SendAsync(Post("dup"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var only = Assert.Single((await List(http)).EnumerateArray());
        Assert.Equal(2, only.GetProperty("submissions").GetInt32());
    }

    [Fact]
    public async Task Same_seed_gives_the_same_faults()
    {
        async Task<string> Run()
        {
            using var dir = new TempDir();
            await using var portal = await PortalServer.StartAsync(dir.Path);
            using var http = portal.Client();
            await SetFaults(http, new { errorRate = 0.5, seed = 42 });
            var outcome = new StringBuilder();
            for (var i = 0; i < 20; i++)
            {
                using var r = await http.SendAsync(Post("s" + i));
                outcome.Append((int)r.StatusCode == 201 ? 'o' : 'x');
            }
            return outcome.ToString();
        }
        var first = await Run();
        Assert.Equal(first, await Run());
        Assert.Contains('o', first);
        Assert.Contains('x', first);
    }

    [Fact]
    public async Task Status_moves_along_the_lifecycle_and_persists()
    {
        using var dir = new TempDir();
        string code;
        await using (var portal = await PortalServer.StartAsync(dir.Path))
        {
            using var http = portal.Client();
            using var created = await http.SendAsync(Post("st"));
            code = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
            using var moved = await http.PostAsJsonAsync($"api/dossiers/{code}/status", new { status = 4 });
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            using var bad = await http.PostAsJsonAsync($"api/dossiers/{code}/status", new { status = 11 });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            using var unknown = await http.PostAsJsonAsync("api/dossiers/LT-19990101-000001/status", new { status = 2 });
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        await using (var portal = await PortalServer.StartAsync(dir.Path))
        {
            using var http = portal.Client();
            Assert.Equal(4, (await http.GetFromJsonAsync<JsonElement>("api/dossiers/" + code)).GetProperty("status").GetInt32());
        }
    }
}
