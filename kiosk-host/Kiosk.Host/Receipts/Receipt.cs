using System.Globalization;

namespace Kiosk.Host.Receipts;

/// <summary>What a filing receipt shows. No personal data beyond initials and a masked ID number.</summary>
public sealed record ReceiptData(
    string ProcedureTitle,
    string? DossierCode,
    string LocalReference,
    DateTimeOffset Time,
    string Ward,
    string? NameInitials,
    string? MaskedIdNumber,
    bool StaffVerification = false);

public static class Receipt
{
    public const string Title = "BIÊN NHẬN HỒ SƠ";
    public const string PendingWording = "Đã ghi nhận tại kiosk, chờ gửi";
    /// <summary>A dossier filed on a card the kiosk could not verify to the end (untrusted): staff check the card.</summary>
    public const string StaffVerificationWording = "Mang thẻ đến quầy để cán bộ xác minh";

    /// <summary>Initials of a full name ("Nguyễn Văn An" → "N.V.A.").</summary>
    public static string Initials(string fullName) =>
        string.Concat(fullName.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + "."));

    public static byte[] Build(ReceiptData r)
    {
        var vn = TimeZoneInfo.ConvertTime(r.Time, VietnamTime.Zone);
        var b = new EscPosBuilder()
            .Initialize()
            .CodePage(52)
            .Align(1).Bold(true).Size(1, 2).Line(Title).Size(1, 1).Line(r.ProcedureTitle).Bold(false)
            .Line()
            .Align(0);
        if (r.DossierCode is not null) b.Line("Mã hồ sơ: " + r.DossierCode);
        else b.Line(PendingWording);
        b.Line("Số tham chiếu: " + r.LocalReference[..Math.Min(8, r.LocalReference.Length)].ToUpperInvariant());
        if (r.NameInitials is not null) b.Line("Người lưu trú: " + r.NameInitials);
        if (r.MaskedIdNumber is not null) b.Line("Số định danh: " + r.MaskedIdNumber);
        b.Line("Thời gian: " + vn.ToString("HH:mm dd/MM/yyyy", CultureInfo.InvariantCulture));
        b.Line("Nơi nộp: " + r.Ward);
        if (r.StaffVerification) b.Line().Bold(true).Line(StaffVerificationWording).Bold(false);
        b.Line();
        if (r.DossierCode is not null) b.Align(1).QrCode(r.DossierCode).Line().Align(0);
        return b.Feed(3).FeedAndCut(0).ToArray();
    }
}

/// <summary>Vietnam time (UTC+7, no daylight saving).</summary>
public static class VietnamTime
{
    public static readonly TimeZoneInfo Zone = FindZone();

    private static TimeZoneInfo FindZone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh"); }
        catch (Exception) { return TimeZoneInfo.CreateCustomTimeZone("UTC+7", TimeSpan.FromHours(7), "UTC+7", "UTC+7"); }
    }

    public static DateTimeOffset Now(TimeProvider clock) => TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone);
}
