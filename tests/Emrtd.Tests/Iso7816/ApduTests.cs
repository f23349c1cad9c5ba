using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;

namespace Emrtd.Tests.Iso7816;

public class ApduTests
{
    [Theory]
    [InlineData("00A4000C")] // case 1
    [InlineData("00B0000004")] // case 2 short
    [InlineData("00B0000000")] // case 2 short, Le 256
    [InlineData("00A4020C02011E")] // case 3 short
    [InlineData("008200002801020304050607080910111213141516171819202122232425262728293031323334353637383940" + "28")] // case 4 short
    [InlineData("00B0000000FFFF")] // case 2 extended
    [InlineData("00B00000000000")] // case 2 extended, Le 65536
    public void Command_apdus_round_trip(string hex)
    {
        Assert.Equal(hex, Hex.Of(CommandApdu.Parse(Hex.Bytes(hex)).Encode()));
    }

    [Fact]
    public void Long_data_or_large_ne_switch_to_extended_length()
    {
        var command = new CommandApdu(0x00, 0xB1, 0x00, 0x00, new byte[300], 1000);
        byte[] encoded = command.Encode();
        Assert.Equal("00B10000" + "00012C", Hex.Of(encoded[..7]));
        Assert.Equal("03E8", Hex.Of(encoded[^2..]));
        Assert.Equal(command.Ne, CommandApdu.Parse(encoded).Ne);
        Assert.Equal(300, CommandApdu.Parse(encoded).Data.Length);
        Assert.Equal(65536, CommandApdu.Parse(new CommandApdu(0, 0xB0, 0, 0, new byte[2], 65536).Encode()).Ne);
    }

    [Theory]
    [InlineData("00B0")]
    [InlineData("00A4040C07A000")]
    [InlineData("00A4040C0000")]
    [InlineData("00A4040C000005A0")]
    public void Inconsistent_lengths_are_typed_errors(string hex)
    {
        Assert.Throws<MalformedDataException>(() => CommandApdu.Parse(Hex.Bytes(hex)));
    }

    [Fact]
    public void Ber_tlv_reads_multi_byte_tags_and_long_lengths()
    {
        byte[] value = new byte[300];
        byte[] encoded = BerTlv.Encode(0x7F49, value);
        Assert.Equal("7F4982012C", Hex.Of(encoded[..5]));
        Tlv tlv = BerTlv.ParseSingle(encoded);
        Assert.Equal(0x7F49, tlv.Tag);
        Assert.True(tlv.IsConstructed);
        Assert.Equal(300, tlv.Value.Length);
        Assert.Throws<MalformedDataException>(() => BerTlv.ParseSingle(Hex.Bytes("5F1F05AABB")));
        Assert.Throws<MalformedDataException>(() => BerTlv.ParseSingle(Hex.Bytes("5F1F84FFFFFFFF")));
        Assert.Throws<MalformedDataException>(() => BerTlv.ParseSingle(Hex.Bytes("7F")));
    }
}
