using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;

namespace Emrtd.Tests.Iso7816;

/// <summary>BER-TLV reading cases (moved here from the host when it dropped its own reader): forms, nesting, header-only reads, bad input.</summary>
public class BerTlvReadingTests
{
    [Fact]
    public void Reads_short_long_and_two_byte_tags()
    {
        int position = 0;
        Tlv tlv = BerTlv.ParseOne(Hex.Bytes("5F1F 03 414243 FF"), ref position);
        Assert.Equal(0x5F1F, tlv.Tag);
        Assert.Equal(6, position);
        Assert.Equal("414243", Hex.Of(tlv.Value));

        position = 0;
        Tlv longForm = BerTlv.ParseOne(Hex.Bytes("04 81 02 AABB"), ref position);
        Assert.Equal(5, position);
        Assert.Equal(2, longForm.Value.Length);
    }

    [Fact]
    public void Reads_nested_children()
    {
        Tlv sequence = BerTlv.ParseSingle(Hex.Bytes("30 07 02 01 05 0C 02 C3A1"));
        Assert.True(sequence.IsConstructed);
        Assert.Equal([0x02, 0x0C], BerTlv.ParseAll(sequence.Value).Select(c => c.Tag));
    }

    [Theory]
    [InlineData("77 82 01 00", 0x77, 4, 256)]
    [InlineData("5F1F 5A", 0x5F1F, 3, 90)]
    [InlineData("75 83 010000", 0x75, 5, 65536)]
    [InlineData("75 84 7FFFFFFF", 0x75, 6, int.MaxValue)] // four length bytes: the reader refuses the size with its own limit
    public void Header_alone_gives_tag_and_lengths(string hex, int tag, int headerLength, int valueLength)
    {
        Assert.True(BerTlv.TryReadHeader(Hex.Bytes(hex), out int t, out int h, out int v));
        Assert.Equal((tag, headerLength, valueLength), (t, h, v));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5F")]
    [InlineData("75")]
    [InlineData("75 82 01")]
    public void A_header_cut_short_asks_for_more(string hex) => Assert.False(BerTlv.TryReadHeader(Hex.Bytes(hex), out _, out _, out _));

    [Theory]
    [InlineData("75 80 00")]              // indefinite
    [InlineData("75 85 0000000001")]      // five length bytes
    [InlineData("75 84 80000000")]        // above 2^31
    [InlineData("5F 81 81 81 01 00")]     // tag longer than 3 bytes
    public void A_header_that_can_never_be_valid_is_a_typed_error(string hex) =>
        Assert.Throws<MalformedDataException>(() => BerTlv.TryReadHeader(Hex.Bytes(hex), out _, out _, out _));

    [Theory]
    [InlineData("5F")]                    // tag cut short
    [InlineData("04")]                    // no length
    [InlineData("04 05 0102")]            // value cut short
    [InlineData("04 82 01")]              // length bytes cut short
    [InlineData("04 84 7FFFFFFF 00")]     // 4 length bytes
    [InlineData("04 83 FFFFFF 00")]       // huge length, little data
    [InlineData("04 80 00 00")]           // indefinite
    [InlineData("5F 81 81 81 01 00")]     // tag too long
    public void Malformed_input_gives_a_typed_error(string hex) =>
        Assert.Throws<MalformedDataException>(() => BerTlv.ParseSingle(Hex.Bytes(hex)));

    [Fact]
    public void Random_bytes_never_throw_anything_but_MalformedDataException()
    {
        var random = new Random(1234);
        for (int i = 0; i < 20000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 24)];
            random.NextBytes(bytes);
            try
            {
                BerTlv.TryReadHeader(bytes, out _, out _, out _);
                foreach (Tlv t in BerTlv.ParseAll(bytes))
                    if (t.IsConstructed) BerTlv.ParseAll(t.Value);
            }
            catch (MalformedDataException) { }
        }
    }
}
