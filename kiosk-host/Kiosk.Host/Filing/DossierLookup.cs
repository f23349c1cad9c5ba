using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Kiosk.Host.Filing;

public sealed record LookupResult(string Code, int Status, string StatusVi, string StatusEn, DateTime? ReceivedAt);

/// <summary>
/// Looks a dossier up at the portal by its code (e.g. <c>LT-20261126-000001</c>). A stand-in for the host's own
/// <c>GET /api/dossiers/{code}</c> that another issue builds; <c>GET /api/lookup/{code}</c> can then be redirected there.
/// </summary>
public sealed partial class DossierLookup(HttpClient http)
{
    [GeneratedRegex(@"^[A-Z]{2}-\d{8}-\d{6}$")]
    private static partial Regex CodeRegex();

    /// <summary>Trims, upper-cases and accepts a receipt QR payload that ends with the code.</summary>
    public static string? NormalizeCode(string? text)
    {
        var t = (text ?? "").Trim().ToUpperInvariant();
        var slash = t.LastIndexOfAny(['/', '=', ':']);
        if (slash >= 0) t = t[(slash + 1)..];
        return CodeRegex().IsMatch(t) ? t : null;
    }

    private sealed record PortalStatus(string Code, int Status, DateTime? ReceivedAt);

    /// <summary>null when the portal does not know the code; throws <see cref="HttpRequestException"/> when unreachable.</summary>
    public async Task<LookupResult?> FindAsync(string code, CancellationToken ct)
    {
        using var response = await http.GetAsync("api/dossiers/" + Uri.EscapeDataString(code), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        var s = await response.Content.ReadFromJsonAsync<PortalStatus>(ct) ?? throw new HttpRequestException("empty answer");
        var words = Store.DossierStatuses.Describe(s.Status);
        return new LookupResult(s.Code, s.Status, words.Vi, words.En, s.ReceivedAt);
    }
}
