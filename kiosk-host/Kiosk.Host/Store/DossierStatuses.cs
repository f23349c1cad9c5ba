namespace Kiosk.Host.Store;

/// <summary>One portal lifecycle code with plain words for the resident (domain.md §1.7, de facto DVCQG codes).</summary>
public sealed record DossierStatusWords(int Code, string Vi, string En, bool Final);

/// <summary>The single table of portal lifecycle codes 1–10 and their words.</summary>
public static class DossierStatuses
{
    public static readonly IReadOnlyList<DossierStatusWords> All =
    [
        new(1, "Mới đăng ký", "Newly filed", false),
        new(2, "Đã được tiếp nhận", "Accepted for processing", false),
        new(3, "Không được tiếp nhận", "Not accepted", true),
        new(4, "Đang xử lý", "Being processed", false),
        new(5, "Cần bổ sung giấy tờ", "More documents needed", false),
        new(6, "Cần thực hiện nghĩa vụ tài chính", "Fee payment needed", false),
        new(7, "Công dân đã rút hồ sơ", "Withdrawn by the citizen", true),
        new(8, "Dừng xử lý", "Processing stopped", true),
        new(9, "Đã xử lý xong", "Processing completed", true),
        new(10, "Đã trả kết quả", "Result delivered", true),
    ];

    public static DossierStatusWords? Find(int? code) => code is { } c ? All.FirstOrDefault(s => s.Code == c) : null;

    /// <summary>Final codes (3, 7, 8, 9, 10): the status pull stops asking.</summary>
    public static bool IsFinal(int? code) => Find(code)?.Final ?? false;
}
