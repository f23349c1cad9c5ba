using Kiosk.Host.Card;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Card;

public class BerTlvTests
{
    [Fact]
    public void Reads_short_long_and_two_byte_tags()
    {
        var tlv = BerTlv.ReadOne(Der.Hex("5F1F 03 414243 FF"), out var used);
        Assert.Equal(0x5F1F, tlv.Tag);
        Assert.Equal(6, used);
        Assert.Equal("414243", Convert.ToHexString(tlv.Value.Span));

        var longForm = BerTlv.ReadOne(Der.Hex("04 81 02 AABB"), out used);
        Assert.Equal(5, used);
        Assert.Equal(2, longForm.Value.Length);

        var two = BerTlv.ReadHeader(Der.Hex("77 82 01 00"));
        Assert.Equal((0x77, true, 4, 256), two);
    }

    [Fact]
    public void Reads_nested_children()
    {
        var data = Der.Seq(Der.Int(5), Der.Utf8("ấ"));
        var tlv = BerTlv.ReadExpected(data, 0x30);
        Assert.True(tlv.Constructed);
        var children = tlv.Children();
        Assert.Equal([0x02, 0x0C], children.Select(c => c.Tag));
    }

    [Theory]
    [InlineData("", CardDataError.Truncated)]                // no tag
    [InlineData("5F", CardDataError.Truncated)]              // tag cut short
    [InlineData("04", CardDataError.Truncated)]              // no length
    [InlineData("04 05 0102", CardDataError.Truncated)]      // value cut short
    [InlineData("04 82 01", CardDataError.Truncated)]        // length bytes cut short
    [InlineData("04 84 7FFFFFFF 00", CardDataError.LengthTooLarge)] // 4 length bytes
    [InlineData("04 83 FFFFFF 00", CardDataError.Truncated)] // huge length, little data
    [InlineData("04 80 00 00", CardDataError.UnsupportedLength)] // indefinite
    [InlineData("5F 81 81 81 01 00", CardDataError.UnexpectedTag)] // tag too long
    public void Malformed_input_gives_a_typed_error(string hex, CardDataError expected)
    {
        var e = Assert.Throws<CardDataException>(() => BerTlv.ReadOne(Der.Hex(hex), out _));
        Assert.Equal(expected, e.Error);
    }

    [Fact]
    public void Wrong_outer_tag_is_a_typed_error()
    {
        var e = Assert.Throws<CardDataException>(() => BerTlv.ReadExpected(Der.Hex("62 00"), 0x61));
        Assert.Equal(CardDataError.UnexpectedTag, e.Error);
    }

    [Fact]
    public void Random_bytes_never_throw_anything_but_CardDataException()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20000; i++)
        {
            var bytes = new byte[random.Next(0, 24)];
            random.NextBytes(bytes);
            try
            {
                foreach (var t in BerTlv.ReadAll(bytes))
                    if (t.Constructed) t.Children();
            }
            catch (CardDataException) { }
        }
    }
}
