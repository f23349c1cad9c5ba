using System.Text;
using Kiosk.Host.Receipts;

namespace Kiosk.Host.Tests.Receipts;

public class EscPosTests
{
    [Theory]
    [InlineData("Thông báo lưu trú")]
    [InlineData("Nguyễn")]
    [InlineData("Đ")]
    [InlineData("ư")]
    [InlineData("ơ")]
    [InlineData("Đã ghi nhận tại kiosk, chờ gửi")]
    [InlineData("Phường Nghĩa Đô, Thành phố Hà Nội — Hồ sơ ỨNG Ặ Ệ ỢỰ")]
    public void Vietnamese_round_trips_through_WPC1258(string text)
    {
        var bytes = Wpc1258.Encode(text);
        Assert.DoesNotContain((byte)'?', bytes.Where(_ => !text.Contains('?')));
        Assert.Equal(text.Normalize(NormalizationForm.FormC), Wpc1258.Decode(bytes));
    }

    [Fact]
    public void Tone_marks_are_combining_bytes_after_the_shaped_letter()
    {
        // "ự" = ư (0xFD) + combining dot below (0xF2); "Đ" = 0xD0; "ề" = ê (0xEA) + combining grave (0xCC).
        Assert.Equal(new byte[] { 0xFD, 0xF2 }, Wpc1258.Encode("ự"));
        Assert.Equal(new byte[] { 0xD0 }, Wpc1258.Encode("Đ"));
        Assert.Equal(new byte[] { 0xEA, 0xCC }, Wpc1258.Encode("ề"));
    }

    [Fact]
    public void QR_command_sequence_is_exact()
    {
        var bytes = new EscPosBuilder().QrCode("LT-20261126-000123", moduleSize: 6, ecc: QrErrorCorrection.M).ToArray();
        var data = Encoding.ASCII.GetBytes("LT-20261126-000123"); // 18 bytes → pL = 21
        byte[] expected =
        [
            0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, // 165 model 2
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,       // 167 module size 6
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,       // 169 error correction M
            0x1D, 0x28, 0x6B, 0x15, 0x00, 0x31, 0x50, 0x30, .. data, // 180 store
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30,       // 181 print
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void QR_store_length_uses_both_bytes()
    {
        var bytes = new EscPosBuilder().QrCode(new string('A', 300)).ToArray();
        var store = bytes.AsSpan(25); // after 165, 167, 169
        Assert.Equal(new byte[] { 0x1D, 0x28, 0x6B, (303 & 0xFF), (303 >> 8), 0x31, 0x50, 0x30 }, store[..8].ToArray());
    }

    [Fact]
    public void Receipt_has_init_codepage_title_qr_and_cut()
    {
        var job = Receipt.Build(new ReceiptData("Thông báo lưu trú", "LT-20261126-000123", "0123456789abcdef", new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero),
            "Phường Nghĩa Đô", "N.V.A.", "001******345"));
        Assert.Equal(new byte[] { 0x1B, 0x40, 0x1B, 0x74, 52, 0x1B, 0x61, 1, 0x1B, 0x45, 1 }, job[..11]);
        Assert.Equal(new byte[] { 0x1D, 0x56, 66, 0 }, job[^4..]);
        var text = Wpc1258.Decode(job);
        Assert.Contains("Thông báo lưu trú", text);
        Assert.Contains("LT-20261126-000123", text);
        Assert.Contains("001******345", text);
        Assert.Contains("10:00 26/11/2026", text); // Vietnam time
        Assert.DoesNotContain("001099012345", text);
        Assert.True(Contains(job, [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]));
    }

    [Fact]
    public void Pending_receipt_has_the_wording_and_no_QR()
    {
        var job = Receipt.Build(new ReceiptData("Thông báo lưu trú", null, "0123456789abcdef", DateTimeOffset.UnixEpoch, "Phường Nghĩa Đô", null, null));
        Assert.Contains(Receipt.PendingWording, Wpc1258.Decode(job));
        Assert.Contains("01234567", Wpc1258.Decode(job));
        Assert.False(Contains(job, [0x1D, 0x28, 0x6B]));
    }

    [Fact]
    public void Text_cannot_inject_commands()
    {
        var job = new EscPosBuilder().Text("A\u001B@B\u001DV").ToArray();
        Assert.Equal("A@BV"u8.ToArray(), job);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
