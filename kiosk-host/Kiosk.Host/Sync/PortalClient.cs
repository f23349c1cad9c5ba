using System.Net.Http.Json;
using System.Text;

namespace Kiosk.Host.Sync;

/// <param name="FaceImage">VNeID level 1: "received" or "missing", as the portal recorded the first submission; else null.</param>
public sealed record PortalAnswer(string Code, int Status, DateTime ReceivedAt, string? FaceImage = null);

public abstract record DeliveryResult
{
    /// <summary>
    /// What went wrong, as a fixed word for the maintenance console: <c>network</c>, <c>timeout</c>,
    /// <c>rate-limited</c> (429), <c>server-error</c> (5xx), <c>conflict</c> (409), <c>bad-answer</c> (2xx without a
    /// usable answer), <c>refused</c> (another 4xx: dead letter); null when delivered.
    /// </summary>
    public string? ErrorKind => this switch
    {
        Delivered => null,
        Rejected => "refused",
        Transient t when t.Reason.StartsWith("network", StringComparison.Ordinal) => "network",
        Transient t when t.Reason is "timeout" or "HTTP 408" => "timeout",
        Transient t when t.Reason == "HTTP 429" => "rate-limited",
        Transient t when t.Reason.StartsWith("HTTP 5", StringComparison.Ordinal) => "server-error",
        Transient t when t.Reason == "HTTP 409" => "conflict",
        _ => "bad-answer",
    };

    public sealed record Delivered(PortalAnswer Answer, bool Replayed) : DeliveryResult;
    /// <summary>Worth retrying (network error, 5xx, 429, 408).</summary>
    public sealed record Transient(string Reason, TimeSpan? RetryAfter = null) : DeliveryResult;
    /// <summary>The portal refused this dossier (4xx); retrying the same body will not help.</summary>
    public sealed record Rejected(int StatusCode, string Reason) : DeliveryResult;
}

/// <summary>The portal's dossier API (<c>POST /api/dossiers</c> with <c>Idempotency-Key</c>).</summary>
public sealed class PortalClient(HttpClient http)
{
    public Task<DeliveryResult> SubmitAsync(string idempotencyKey, string body, CancellationToken ct) =>
        SubmitAsync(idempotencyKey, new StringContent(body, Encoding.UTF8, "application/json"), ct);

    /// <summary>The same with the body as UTF-8 bytes (the caller may zero them afterwards: they hold a face image).</summary>
    public Task<DeliveryResult> SubmitAsync(string idempotencyKey, byte[] utf8Body, CancellationToken ct)
    {
        var content = new ByteArrayContent(utf8Body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return SubmitAsync(idempotencyKey, content, ct);
    }

    private async Task<DeliveryResult> SubmitAsync(string idempotencyKey, HttpContent content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/dossiers") { Content = content };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            return new DeliveryResult.Transient($"network: {e.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new DeliveryResult.Transient("timeout");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    var answer = await response.Content.ReadFromJsonAsync<PortalAnswer>(ct);
                    if (answer is null || string.IsNullOrEmpty(answer.Code))
                        return new DeliveryResult.Transient("portal answer without a code");
                    var replayed = response.Headers.TryGetValues("Idempotent-Replayed", out var v) && v.Contains("true");
                    return new DeliveryResult.Delivered(answer, replayed);
                }
                catch (System.Text.Json.JsonException)
                {
                    return new DeliveryResult.Transient("portal answer is not JSON");
                }
            }
            if (status is 408 or 409 or 429 or >= 500)
                return new DeliveryResult.Transient($"HTTP {status}", status is 429 or 503 ? RetryAfter(response) : null);
            var error = await ErrorCode(response, ct);
            return new DeliveryResult.Rejected(status, error is null ? $"HTTP {status}" : $"HTTP {status} {error}");
        }
    }

    /// <summary>
    /// The portal's error code from its error body (<c>{"error": "kiosk-id-mismatch", …}</c>, plain or problem JSON),
    /// when it is a short lower-case token; null otherwise. Only the token: the relay keeps and shows it.
    /// </summary>
    private static async Task<string?> ErrorCode(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("error", out var e) || e.ValueKind != System.Text.Json.JsonValueKind.String) return null;
            var code = e.GetString()!;
            return code.Length is > 0 and <= 64 && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') ? code : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or HttpRequestException)
        {
            return null;
        }
    }

    /// <summary><c>Retry-After</c> as delta-seconds or an HTTP date; null when absent or unreadable.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>The portal's current status of a dossier: the code, null when the portal does not know it or cannot be asked.</summary>
    public async Task<int?> GetStatusAsync(string code, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync("api/dossiers/" + Uri.EscapeDataString(code), ct);
            if (!response.IsSuccessStatusCode) return null;
            var answer = await response.Content.ReadFromJsonAsync<PortalAnswer>(ct);
            return answer?.Status is >= 1 and <= 10 ? answer.Status : null;
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException || e is TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>True when the portal answers HTTP at all.</summary>
    public async Task<bool> ProbeAsync(CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync("api/dossiers/-probe-", ct);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
