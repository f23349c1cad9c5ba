using Kiosk.Host.Card;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Card;

public class Dg13Tests
{
    [Fact]
    public void Parses_every_field_with_father_and_mother_in_their_own_sequences()
    {
        var dg13 = Dg13Parser.Parse(TestCard.SampleDg13());
        Assert.Equal("001099012345", dg13.IdNumber);
        Assert.Equal("Nguyễn Văn An", dg13.FullName);
        Assert.Equal(new DateOnly(1999, 1, 1), dg13.DateOfBirth);
        Assert.Equal("Nam", dg13.Sex);
        Assert.Equal("Việt Nam", dg13.Nationality);
        Assert.Equal("Kinh", dg13.Ethnicity);
        Assert.Equal("Không", dg13.Religion);
        Assert.StartsWith("Xã Đông Hội", dg13.PlaceOfOrigin);
        Assert.Contains("Phường Nghĩa Đô", dg13.PlaceOfResidence);
        Assert.Equal(new DateOnly(2021, 6, 15), dg13.DateOfIssue);
        Assert.Equal(new DateOnly(2039, 1, 1), dg13.DateOfExpiry);
        Assert.Equal("Nguyễn Văn Bình", dg13.FatherName);
        Assert.Equal("Trần Thị Cúc", dg13.MotherName);
        Assert.Null(dg13.SpouseName);
        Assert.Equal("012345678", dg13.OldIdNumber);
    }

    [Fact]
    public void Father_and_mother_nested_in_one_sequence()
    {
        var bytes = Der.Dg13(
            Der.Field(1, Der.Printable("079303001234")),
            Der.Field(13, Der.Seq(Der.Utf8("Lê Văn Đức"), Der.Utf8("Phạm Thị Ơn"))),
            Der.Field(14, Der.Seq(Der.Utf8("Hoàng Văn Ưng"))));
        var dg13 = Dg13Parser.Parse(bytes);
        Assert.Equal("Lê Văn Đức", dg13.FatherName);
        Assert.Equal("Phạm Thị Ơn", dg13.MotherName);
        Assert.Equal("Hoàng Văn Ưng", dg13.SpouseName);
    }

    [Fact]
    public void The_Swift_sample_layout_byte_for_byte()
    {
        // 30 36 02 01 0D 30 19 0C 17 <father, 23 bytes> 30 16 0C 14 <mother, 20 bytes>  (emrtd.md §3.3)
        var father = "NGUYỄN VĂN BÌNH ABC"u8.ToArray();
        var mother = "TRẦN THỊ CÚC AB"u8.ToArray();
        Assert.Equal(23, father.Length);
        Assert.Equal(20, mother.Length);
        byte[] field13 = [0x30, 0x36, 0x02, 0x01, 0x0D, 0x30, 0x19, 0x0C, 0x17, .. father, 0x30, 0x16, 0x0C, 0x14, .. mother];
        var dg13 = Dg13Parser.Parse(Der.Dg13(field13, Der.Hex("30 03 02 01 0E")));
        Assert.Equal("NGUYỄN VĂN BÌNH ABC", dg13.FatherName);
        Assert.Equal("TRẦN THỊ CÚC AB", dg13.MotherName);
        Assert.Null(dg13.SpouseName);
    }

    [Fact]
    public void Fields_in_any_order_and_unknown_fields_are_skipped()
    {
        var dg13 = Dg13Parser.Parse(Der.Dg13(
            Der.Field(99, Der.Utf8("?")),
            Der.Field(2, Der.Utf8("Đỗ Thị Hương")),
            Der.Field(1, Der.Printable("001199000001")),
            Der.Field(12, Der.Utf8("Không thời hạn"))));
        Assert.Equal("Đỗ Thị Hương", dg13.FullName);
        Assert.Equal("001199000001", dg13.IdNumber);
        Assert.Null(dg13.DateOfExpiry);
        Assert.Equal("Không thời hạn", dg13.DateOfExpiryText);
    }

    [Theory]
    [InlineData("6E 00")]                // wrong outer tag
    [InlineData("6D 03 02 01 01")]       // no SEQUENCE
    [InlineData("6D 05 30 03 02 01 01")] // no SET
    [InlineData("6D 08 30 06 31 04 30 02 02")] // truncated field
    public void Malformed_DG13_gives_a_typed_error(string hex)
    {
        Assert.Throws<CardDataException>(() => Dg13Parser.Parse(Der.Hex(hex)));
    }

    [Fact]
    public void Bad_date_of_birth_is_a_typed_error()
    {
        var e = Assert.Throws<CardDataException>(() => Dg13Parser.Parse(Der.Dg13(Der.Field(3, Der.Printable("1999-01-01")))));
        Assert.Equal(CardDataError.BadDate, e.Error);
    }

    [Fact]
    public void Invalid_utf8_is_a_typed_error()
    {
        var e = Assert.Throws<CardDataException>(() => Dg13Parser.Parse(Der.Dg13(Der.Field(2, Der.Tlv(0x0C, [0xC3, 0x28])))));
        Assert.Equal(CardDataError.BadDg13, e.Error);
    }
}
