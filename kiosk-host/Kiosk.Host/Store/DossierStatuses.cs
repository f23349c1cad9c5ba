namespace Kiosk.Host.Store;

/// <summary>One portal lifecycle code with plain words for the resident (domain.md §1.7, de facto DVCQG codes).</summary>
public sealed record DossierStatusWords(int Code, string Vi, string En, bool Final);

/// <summary>The single table of portal lifecycle codes 1–10 and their words.</summary>
public static class DossierStatuses
{
    public static readonly IReadOnlyList<DossierStatusWords> All =
    [
        new(1, "Mới đăng ký: hồ sơ đã được gửi, chờ cán bộ tiếp nhận.", "Newly filed: waiting for staff to receive it.", false),
        new(2, "Đã được tiếp nhận.", "Received by the ward police.", false),
        new(3, "Không được tiếp nhận. Vui lòng liên hệ Công an phường.", "Not accepted. Please contact the ward police.", true),
        new(4, "Đang xử lý.", "Being processed.", false),
        new(5, "Cần bổ sung giấy tờ. Vui lòng liên hệ Công an phường.", "More documents are needed. Please contact the ward police.", false),
        new(6, "Cần nộp lệ phí.", "The fee must be paid.", false),
        new(7, "Công dân đã yêu cầu rút hồ sơ.", "Withdrawn at the citizen's request.", true),
        new(8, "Đã dừng xử lý.", "Processing stopped.", true),
        new(9, "Đã xử lý xong, chờ trả kết quả.", "Processed; the result is ready.", true),
        new(10, "Đã trả kết quả.", "The result has been handed over.", true),
    ];

    public static DossierStatusWords? Find(int? code) => code is { } c ? All.FirstOrDefault(s => s.Code == c) : null;

    /// <summary>Words for any code, also one the portal invents later.</summary>
    public static DossierStatusWords Describe(int code) =>
        Find(code) ?? new(code, "Trạng thái chưa xác định.", "Unknown status.", false);

    /// <summary>Final codes (3, 7, 8, 9, 10): the status pull stops asking.</summary>
    public static bool IsFinal(int? code) => Find(code)?.Final ?? false;
}
