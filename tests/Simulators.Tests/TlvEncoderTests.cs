using Kiosk.Simulators.VirtualCard.Tlv;

namespace Simulators.Tests;

public class TlvEncoderTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8180")]
    [InlineData(255, "81FF")]
    [InlineData(256, "820100")]
    [InlineData(65535, "82FFFF")]
    [InlineData(65536, "83010000")]
    public void Lengths_use_short_form_up_to_127_and_long_form_above(int length, string expected)
    {
        Assert.Equal(expected, Hex.Of(BerTlv.EncodeLength(length)));
    }

    [Fact]
    public void Two_byte_tag_and_long_length_are_written_in_order()
    {
        byte[] value = Enumerable.Repeat((byte)0xAB, 200).ToArray();
        byte[] encoded = BerTlv.Encode(0x5F1F, value);
        Assert.Equal("5F1F81C8", Hex.Of(encoded.AsSpan(0, 4)));
        Assert.Equal(204, encoded.Length);
        Assert.Equal(value, encoded[4..]);
    }

    [Fact]
    public void Constructed_value_wraps_its_children()
    {
        byte[] encoded = BerTlv.EncodeConstructed(0x60, BerTlv.Encode(0x5F01, "0107"u8), BerTlv.Encode(0x5C, [0x61, 0x6D]));
        Assert.Equal("600B5F0104303130375C02616D", Hex.Of(encoded));
    }

    [Fact]
    public void Der_integer_oid_and_strings()
    {
        Assert.Equal("020101", Hex.Of(Asn1.Integer(1)));
        Assert.Equal("02020080", Hex.Of(Asn1.Integer(128)));
        Assert.Equal("060628D316010008", Hex.Of(Asn1.ObjectIdentifier("1.0.10646.1.0.8")));
        Assert.Equal("0C034E616D", Hex.Of(Asn1.Utf8String("Nam")));
        Assert.Equal("0C044EE1BBAF", Hex.Of(Asn1.Utf8String("Nữ")));
        Assert.Equal("130A31322F30332F31393835", Hex.Of(Asn1.PrintableString("12/03/1985")));
        Assert.Throws<ArgumentException>(() => Asn1.PrintableString("Nữ"));
    }

    [Fact]
    public void Long_sequence_gets_a_long_form_length()
    {
        byte[] child = Asn1.Utf8String(new string('a', 300));
        byte[] sequence = Asn1.Sequence(child);
        Assert.Equal("3082", Hex.Of(sequence.AsSpan(0, 2)));
        TlvNode node = TlvNode.ParseSingle(sequence);
        Assert.Single(node.Children);
        Assert.Equal(300, node.Children[0].Value.Length);
    }
}
