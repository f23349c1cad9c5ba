using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Kiosk.Host.Filing;

/// <summary>The dossier lifecycle codes 1–10 (domain.md §1.7) in plain words.</summary>
public static class DossierStatus
{
    private static readonly Dictionary<int, FieldError> Words = new()
    {
        [1] = new("Mới đăng ký: hồ sơ đã được gửi, chờ cán bộ tiếp nhận.", "Newly filed: waiting for staff to receive it."),
        [2] = new("Đã được tiếp nhận.", "Received by the ward police."),
        [3] = new("Không được tiếp nhận. Vui lòng liên hệ Công an phường.", "Not accepted. Please contact the ward police."),
        [4] = new("Đang xử lý.", "Being processed."),
        [5] = new("Cần bổ sung giấy tờ. Vui lòng liên hệ Công an phường.", "More documents are needed. Please contact the ward police."),
        [6] = new("Cần nộp lệ phí.", "The fee must be paid."),
        [7] = new("Công dân đã yêu cầu rút hồ sơ.", "Withdrawn at the citizen's request."),
        [8] = new("Đã dừng xử lý.", "Processing stopped."),
        [9] = new("Đã xử lý xong, chờ trả kết quả.", "Processed; the result is ready."),
        [10] = new("Đã trả kết quả.", "The result has been handed over."),
    };

    public static FieldError Describe(int status) =>
        Words.TryGetValue(status, out var w) ? w : new("Trạng thái chưa xác định.", "Unknown status.");
}

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
        var words = DossierStatus.Describe(s.Status);
        return new LookupResult(s.Code, s.Status, words.Vi, words.En, s.ReceivedAt);
    }
}
