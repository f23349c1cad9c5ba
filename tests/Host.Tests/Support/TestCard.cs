using System.Text;
using Kiosk.Host.Card;

namespace Kiosk.Host.Tests.Support;

/// <summary>A tiny in-memory chip for the foundation read (no access control), recording every APDU.</summary>
public sealed class TestCard : ICardChannel
{
    public const string Mrz = "IDVNM0990123459001099012345<<0" + "9901018M3901016VNM<<<<<<<<<<<0" + "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";

    private readonly Dictionary<ushort, byte[]> _files;
    private ushort? _selected;
    private bool _appSelected;
    public List<byte[]> Commands { get; } = [];
    public bool Present { get; set; } = true;
    /// <summary>
    /// The chip's active-authentication key: INTERNAL AUTHENTICATE is answered with ECDSA-SHA-256 r‖s over the
    /// challenge, as the virtual CCCD does. Null: the command is unknown (6D00), as for a chip without AA.
    /// </summary>
    public System.Security.Cryptography.ECDsa? ActiveAuthenticationKey { get; set; }

    public TestCard(Dictionary<ushort, byte[]> files) => _files = files;

    public static byte[] Dg1(string mrz = Mrz) => Der.Tlv(0x61, Der.Tlv(0x5F1F, Encoding.ASCII.GetBytes(mrz)));

    public static byte[] SampleDg13() => Der.Dg13(
        Der.Field(1, Der.Printable("001099012345")),
        Der.Field(2, Der.Utf8("Nguyễn Văn An")),
        Der.Field(3, Der.Printable("01/01/1999")),
        Der.Field(4, Der.Utf8("Nam")),
        Der.Field(5, Der.Utf8("Việt Nam")),
        Der.Field(6, Der.Utf8("Kinh")),
        Der.Field(7, Der.Utf8("Không")),
        Der.Field(8, Der.Utf8("Xã Đông Hội, Huyện Đông Anh, Hà Nội")),
        Der.Field(9, Der.Utf8("Số 12 ngõ 34 Hoàng Quốc Việt, Phường Nghĩa Đô, Cầu Giấy, Hà Nội")),
        Der.Field(10, Der.Utf8("Nốt ruồi cách 2cm trên mép trái")),
        Der.Field(11, Der.Printable("15/06/2021")),
        Der.Field(12, Der.Utf8("01/01/2039")),
        Der.Field(13, Der.Seq(Der.Utf8("Nguyễn Văn Bình")), Der.Seq(Der.Utf8("Trần Thị Cúc"))),
        Der.Field(14),
        Der.Field(15, Der.Printable("012345678")),
        Der.Field(16, Der.Printable("0123456789ABCDEF")));

    public static TestCard Sample() => new(new() { [0x0101] = Dg1(), [0x010D] = SampleDg13() });

    public Task<byte[]> TransmitAsync(byte[] c, CancellationToken ct)
    {
        if (!Present) throw new CardUnavailableException("no card");
        Commands.Add(c);
        return Task.FromResult(Answer(c));
    }

    private byte[] Answer(byte[] c)
    {
        if (c is [0x00, 0x88, 0x00, 0x00, 0x08, ..] && c.Length >= 13 && ActiveAuthenticationKey is { } key)
            return [.. key.SignData(c.AsSpan(5, 8), System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation), 0x90, 0x00];
        if (c is [0x00, 0xA4, 0x04, 0x0C, 0x07, ..] && c.AsSpan(5, 7).SequenceEqual(Apdus.EmrtdAid)) { _appSelected = true; return [0x90, 0x00]; }
        if (c is [0x00, 0xA4, 0x02, 0x0C, 0x02, var hi, var lo])
        {
            var fid = (ushort)((hi << 8) | lo);
            if (!_appSelected || !_files.ContainsKey(fid)) return [0x6A, 0x82];
            _selected = fid;
            return [0x90, 0x00];
        }
        if (c is [0x00, 0xB0, var p1, var p2, var le] && _selected is { } sel)
        {
            var file = _files[sel];
            var offset = (p1 << 8) | p2;
            var want = le == 0 ? 256 : le;
            if (offset > file.Length) return [0x6B, 0x00];
            var n = Math.Min(want, file.Length - offset);
            return [.. file.AsSpan(offset, n), .. (n < want ? new byte[] { 0x62, 0x82 } : [0x90, 0x00])];
        }
        return [0x6D, 0x00];
    }
}
