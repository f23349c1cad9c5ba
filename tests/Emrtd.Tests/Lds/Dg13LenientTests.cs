using System.Text;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;

namespace Emrtd.Tests.Lds;

/// <summary>DG13 cases (moved here from the host when it dropped its own parser): layouts seen on cards, leniency, bad input.</summary>
public class Dg13LenientTests
{
    private static readonly byte[] Utf8Oid = [0x06, 0x06, 0x28, 0xD3, 0x16, 0x01, 0x00, 0x08];

    private static byte[] Field(int n, params byte[][] values) => BerTlv.Encode(0x30, [.. BerTlv.Encode(0x02, [(byte)n]), .. values.SelectMany(v => v)]);
    private static byte[] Utf8(string s) => BerTlv.Encode(0x0C, Encoding.UTF8.GetBytes(s));
    private static byte[] Printable(string s) => BerTlv.Encode(0x13, Encoding.ASCII.GetBytes(s));
    private static byte[] Seq(params byte[][] children) => BerTlv.Encode(0x30, children.SelectMany(c => c).ToArray());
    private static byte[] File(params byte[][] fields) =>
        BerTlv.Encode(0x6D, Seq([0x02, 0x01, 0x01], Utf8Oid, BerTlv.Encode(0x31, fields.SelectMany(f => f).ToArray())));

    [Fact]
    public void Parses_every_field_with_father_and_mother_in_their_own_sequences()
    {
        Dg13 dg13 = Dg13.Parse(File(
            Field(1, Printable("001099012345")), Field(2, Utf8("Nguyễn Văn An")), Field(3, Printable("01/01/1999")),
            Field(4, Utf8("Nam")), Field(5, Utf8("Việt Nam")), Field(6, Utf8("Kinh")), Field(7, Utf8("Không")),
            Field(8, Utf8("Xã Đông Hội, Huyện Đông Anh, Hà Nội")), Field(9, Utf8("Số 1, Phường Nghĩa Đô, Hà Nội")),
            Field(10, Utf8("Nốt ruồi")), Field(11, Printable("15/06/2021")), Field(12, Printable("01/01/2039")),
            Field(13, Seq(Utf8("Nguyễn Văn Bình")), Seq(Utf8("Trần Thị Cúc"))), Field(14), Field(15, Printable("012345678")),
            Field(16, Printable("0123456789ABCDEF"))));
        Assert.Equal("001099012345", dg13.IdNumber);
        Assert.Equal(new DateOnly(1999, 1, 1), dg13.DateOfBirth);
        Assert.Equal("Nam", dg13.Sex);
        Assert.Equal("Việt Nam", dg13.Nationality);
        Assert.Equal("Kinh", dg13.Ethnicity);
        Assert.Equal("Không", dg13.Religion);
        Assert.StartsWith("Xã Đông Hội", dg13.PlaceOfOrigin);
        Assert.Contains("Phường Nghĩa Đô", dg13.PlaceOfResidence);
        Assert.Equal("Nốt ruồi", dg13.IdentifyingMarks);
        Assert.Equal(new DateOnly(2021, 6, 15), dg13.DateOfIssue);
        Assert.Equal(new DateOnly(2039, 1, 1), dg13.DateOfExpiry);
        Assert.Null(dg13.DateOfExpiryText);
        Assert.Equal("Nguyễn Văn Bình", dg13.FatherName);
        Assert.Equal("Trần Thị Cúc", dg13.MotherName);
        Assert.Null(dg13.SpouseName);
        Assert.Equal("012345678", dg13.OldIdNumber);
        Assert.Equal("0123456789ABCDEF", dg13.PersonalIdCode);
    }

    [Fact]
    public void Father_and_mother_nested_in_one_sequence()
    {
        Dg13 dg13 = Dg13.Parse(File(
            Field(1, Printable("079303001234")),
            Field(13, Seq(Utf8("Lê Văn Đức"), Utf8("Phạm Thị Ơn"))),
            Field(14, Seq(Utf8("Hoàng Văn Ưng")))));
        Assert.Equal("Lê Văn Đức", dg13.FatherName);
        Assert.Equal("Phạm Thị Ơn", dg13.MotherName);
        Assert.Equal("Hoàng Văn Ưng", dg13.SpouseName);
    }

    [Fact]
    public void The_Swift_sample_layout_byte_for_byte()
    {
        // 30 36 02 01 0D 30 19 0C 17 <father, 23 bytes> 30 16 0C 14 <mother, 20 bytes>  (emrtd.md §3.3)
        byte[] father = "NGUYỄN VĂN BÌNH ABC"u8.ToArray();
        byte[] mother = "TRẦN THỊ CÚC AB"u8.ToArray();
        Assert.Equal(23, father.Length);
        Assert.Equal(20, mother.Length);
        byte[] field13 = [0x30, 0x36, 0x02, 0x01, 0x0D, 0x30, 0x19, 0x0C, 0x17, .. father, 0x30, 0x16, 0x0C, 0x14, .. mother];
        Dg13 dg13 = Dg13.Parse(File(field13, Hex.Bytes("30 03 02 01 0E")));
        Assert.Equal("NGUYỄN VĂN BÌNH ABC", dg13.FatherName);
        Assert.Equal("TRẦN THỊ CÚC AB", dg13.MotherName);
        Assert.Null(dg13.SpouseName);
    }

    [Fact]
    public void Fields_in_any_order_the_first_of_a_repeated_number_wins()
    {
        Dg13 dg13 = Dg13.Parse(File(Field(2, Utf8("Đỗ Thị Hương")), Field(1, Printable("001199000001")), Field(2, Utf8("other"))));
        Assert.Equal("Đỗ Thị Hương", dg13.FullName);
        Assert.Equal("001199000001", dg13.IdNumber);
    }

    [Fact]
    public void Text_is_trimmed_and_composed_to_NFC()
    {
        Dg13 dg13 = Dg13.Parse(File(Field(2, Utf8("  Nguye\u0302\u0303n  "))));
        Assert.Equal("Nguyễn", dg13.FullName);
    }

    [Theory]
    [InlineData("6E 00")]                      // wrong outer tag
    [InlineData("6D 03 02 01 01")]             // no SEQUENCE
    [InlineData("6D 05 30 03 02 01 01")]       // no SET
    [InlineData("6D 08 30 06 31 04 30 02 02")] // truncated field
    public void Malformed_DG13_gives_a_typed_error(string hex) => Assert.Throws<MalformedDataException>(() => Dg13.Parse(Hex.Bytes(hex)));

    [Fact]
    public void Bad_date_of_birth_is_a_typed_error_and_does_not_echo_it()
    {
        var e = Assert.Throws<MalformedDataException>(() => Dg13.Parse(File(Field(3, Printable("1999-01-01")))));
        Assert.DoesNotContain("1999", e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_a_typed_error() =>
        Assert.Throws<MalformedDataException>(() => Dg13.Parse(File(Field(2, BerTlv.Encode(0x0C, [0xC3, 0x28])))));
}
