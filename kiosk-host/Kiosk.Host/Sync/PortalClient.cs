using System.Net.Http.Json;
using System.Text;

namespace Kiosk.Host.Sync;

public sealed record PortalAnswer(string Code, int Status, DateTime ReceivedAt);

public abstract record DeliveryResult
{
    public sealed record Delivered(PortalAnswer Answer, bool Replayed) : DeliveryResult;
    /// <summary>Worth retrying (network error, 5xx, 429, 408).</summary>
    public sealed record Transient(string Reason, TimeSpan? RetryAfter = null) : DeliveryResult;
    /// <summary>The portal refused this dossier (4xx); retrying the same body will not help.</summary>
    public sealed record Rejected(int StatusCode, string Reason) : DeliveryResult;
}

/// <summary>The portal's dossier API (<c>POST /api/dossiers</c> with <c>Idempotency-Key</c>).</summary>
public sealed class PortalClient(HttpClient http)
{
    public async Task<DeliveryResult> SubmitAsync(string idempotencyKey, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/dossiers")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
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
            return new DeliveryResult.Rejected(status, $"HTTP {status}");
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
