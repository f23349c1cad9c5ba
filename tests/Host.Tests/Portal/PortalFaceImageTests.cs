using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Portal;

/// <summary>The portal simulator's face-image attachment on VNeID dossiers: accepted, checked, never kept.</summary>
public sealed class PortalFaceImageTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private PortalServer _portal = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalServer.StartAsync(_dir.Path);
        _http = _portal.Client();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _portal.DisposeAsync();
        _dir.Dispose();
    }

    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, .. RandomNumberGenerator.GetBytes(3000), 0xFF, 0xD9];
    private const string Dossier = "\"procedure\":\"ho-tro-vneid\",\"kioskId\":\"kiosk-test\",\"form\":{\"level\":1,\"phone\":\"0912345678\"}";

    private static string WithFace(string faceJson) => $"{{{Dossier},\"attachments\":{{\"faceImage\":{faceJson}}}}}";
    private static string WithImage(byte[] image, string format = "jpeg") => WithFace($"{{\"format\":\"{format}\",\"data\":\"{Convert.ToBase64String(image)}\"}}");

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/dossiers") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<JsonElement> Listed(string key) =>
        (await _http.GetFromJsonAsync<JsonElement>("api/dossiers")).EnumerateArray().Single(d => d.GetProperty("idempotencyKey").GetString() == key);

    [Fact]
    public async Task Keeps_the_hash_and_length_of_the_image_and_a_replay_without_it_is_the_same_dossier()
    {
        var key = Guid.NewGuid().ToString("D");
        var (status, first) = await Post(key, WithImage(Jpeg));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("received", first.GetProperty("faceImage").GetString());

        var listed = await Listed(key);
        Assert.Equal("received", listed.GetProperty("faceImage").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Jpeg)), listed.GetProperty("faceImageSha256").GetString());
        Assert.Equal(Jpeg.Length, listed.GetProperty("faceImageLength").GetInt32());

        // The kiosk restarted and lost the image: the same dossier without it replays the first answer.
        var (replayStatus, replay) = await Post(key, WithFace("null"));
        Assert.Equal(HttpStatusCode.Created, replayStatus);
        Assert.Equal(first.GetRawText(), replay.GetRawText());
        Assert.Equal(2, (await Listed(key)).GetProperty("submissions").GetInt32());
        // A different dossier under the same key is still refused, attachments or not.
        Assert.Equal((HttpStatusCode)422, (await Post(key, WithImage(Jpeg).Replace("0912345678", "0987654321"))).Status);

        // Neither the image nor its base64 is in the simulator's files.
        var slice = Jpeg.AsSpan(600, 60).ToArray();
        var base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(Jpeg.AsSpan(600, 60)));
        foreach (var file in Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf(slice) < 0, file);
            Assert.True(copy.ToArray().AsSpan().IndexOf(base64) < 0, file);
        }
    }

    [Fact]
    public async Task A_VNeID_dossier_without_the_image_is_listed_as_missing_others_have_no_face_field()
    {
        var vneid = Guid.NewGuid().ToString("D");
        var (status, answer) = await Post(vneid, WithFace("null"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("missing", answer.GetProperty("faceImage").GetString());
        Assert.StartsWith("HS-", answer.GetProperty("code").GetString());
        Assert.Equal("missing", (await Listed(vneid)).GetProperty("faceImage").GetString());
        var bare = Guid.NewGuid().ToString("D");
        Assert.Equal(HttpStatusCode.Created, (await Post(bare, $"{{{Dossier}}}")).Status); // no attachments at all
        Assert.Equal("missing", (await Listed(bare)).GetProperty("faceImage").GetString());

        var other = Guid.NewGuid().ToString("D");
        var (otherStatus, otherAnswer) = await Post(other, "{\"procedure\":\"thong-bao-luu-tru\",\"kioskId\":\"kiosk-test\",\"form\":{}}");
        Assert.Equal(HttpStatusCode.Created, otherStatus);
        Assert.False(otherAnswer.TryGetProperty("faceImage", out _));
        Assert.Equal(JsonValueKind.Null, (await Listed(other)).GetProperty("faceImage").ValueKind);
    }

    [Theory]
    [InlineData("\"not an object\"", 400, "bad-face-image")]
    [InlineData("{\"format\":\"jpeg\"}", 400, "bad-face-image")]
    [InlineData("{\"format\":\"png\",\"data\":\"AAAA\"}", 400, "bad-face-image-format")]
    [InlineData("{\"format\":\"jpeg\",\"data\":\"%%% not base64 %%%\"}", 400, "bad-face-image")]
    [InlineData("{\"format\":\"jpeg\",\"data\":\"\"}", 400, "bad-face-image")]
    [InlineData("{\"format\":\"jpeg\",\"data\":\"SGVsbG8sIHdvcmxkIQ==\"}", 422, "face-image-unreadable")]
    [InlineData("{\"format\":\"jp2\",\"data\":\"/9j/4AAQ\"}", 422, "face-image-unreadable")]
    public async Task Garbage_gets_a_typed_error_and_nothing_is_filed(string faceJson, int status, string error)
    {
        var key = Guid.NewGuid().ToString("D");
        var (got, body) = await Post(key, WithFace(faceJson));
        Assert.Equal((HttpStatusCode)status, got);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal(0, (await _http.GetFromJsonAsync<JsonElement>("api/dossiers")).GetArrayLength());
    }

    [Fact]
    public async Task An_image_over_the_cap_or_on_another_procedure_is_refused()
    {
        byte[] huge = [0xFF, 0xD8, 0xFF, .. new byte[Kiosk.Simulators.Portal.Dossiers.DossierEndpoints.MaxFaceImageBytes]];
        var (status, body) = await Post(Guid.NewGuid().ToString("D"), WithImage(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("face-image-too-large", body.GetProperty("error").GetString());

        var notVneid = WithImage(Jpeg).Replace("ho-tro-vneid", "thong-bao-luu-tru");
        var (otherStatus, otherBody) = await Post(Guid.NewGuid().ToString("D"), notVneid);
        Assert.Equal((HttpStatusCode)422, otherStatus);
        Assert.Equal("face-image-not-expected", otherBody.GetProperty("error").GetString());

        var (badStatus, badBody) = await Post(Guid.NewGuid().ToString("D"), $"{{{Dossier},\"attachments\":[1]}}");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Equal("bad-attachments", badBody.GetProperty("error").GetString());
        Assert.Equal(0, (await _http.GetFromJsonAsync<JsonElement>("api/dossiers")).GetArrayLength());
    }
}
