using Kiosk.Firmware.Devices.Fingerprint;
using Kiosk.Firmware.Protocols.Fingerprint;

namespace Firmware.Tests;

public class FingerprintPacketTests
{
    [Fact]
    public void GenImgCommandIsByteExact()
    {
        byte[] packet = FingerprintPacket.Encode(FingerprintPacket.DefaultAddress, FingerprintPacketType.Command, new byte[] { 0x01 });
        Assert.Equal("EF01FFFFFFFF010003010005", Hex.Of(packet));
    }

    [Fact]
    public void ReadSysParaCommandIsByteExact()
    {
        byte[] packet = FingerprintPacket.Encode(FingerprintPacket.DefaultAddress, FingerprintPacketType.Command, new byte[] { 0x0F });
        Assert.Equal("EF01FFFFFFFF0100030F0013", Hex.Of(packet));
    }

    [Fact]
    public void DecodesNoFingerAck()
    {
        byte[] packet = Hex.Bytes("EF01 FFFFFFFF 07 0003 02 000C");
        FingerprintDecodeResult result = FingerprintPacket.TryDecode(packet, 0, packet.Length);
        Assert.Equal(FingerprintDecodeStatus.Packet, result.Status);
        Assert.Equal(FingerprintPacketType.Ack, result.Type);
        Assert.Equal(new byte[] { 0x02 }, result.Payload);
        Assert.Equal(packet.Length, result.Consumed);
    }

    [Fact]
    public void WrongChecksumIsGarbled()
    {
        byte[] packet = Hex.Bytes("EF01 FFFFFFFF 07 0003 02 000D");
        FingerprintDecodeResult result = FingerprintPacket.TryDecode(packet, 0, packet.Length);
        Assert.Equal(FingerprintDecodeStatus.Garbled, result.Status);
        Assert.Equal(packet.Length, result.Consumed);
    }

    [Fact]
    public void NoiseBeforeThePacketIsSkipped()
    {
        byte[] input = Hex.Bytes("00 EF 02 99").Concat(Hex.Bytes("EF01 FFFFFFFF 07 0003 00 000A")).ToArray();
        FingerprintDecodeResult result = FingerprintPacket.TryDecode(input, 0, input.Length);
        Assert.Equal(FingerprintDecodeStatus.Packet, result.Status);
        Assert.Equal(input.Length, result.Consumed);
    }

    [Fact]
    public void TruncatedPacketNeedsMoreAndHugeLengthIsGarbled()
    {
        byte[] truncated = Hex.Bytes("EF01 FFFFFFFF 07 0003 02");
        Assert.Equal(FingerprintDecodeStatus.NeedMore, FingerprintPacket.TryDecode(truncated, 0, truncated.Length).Status);
        byte[] huge = Hex.Bytes("EF01 FFFFFFFF 07 FFFF 00");
        FingerprintDecodeResult result = FingerprintPacket.TryDecode(huge, 0, huge.Length);
        Assert.Equal(FingerprintDecodeStatus.Garbled, result.Status);
        Assert.True(result.Consumed > 0);
    }

    [Fact]
    public void ParsesSystemParameters()
    {
        byte[] data = Hex.Bytes("0000 0000 03E8 0005 FFFFFFFF 0002 0006");
        FingerprintSystemParameters p = FingerprintSystemParameters.Parse(data);
        Assert.Equal(1000, p.Capacity);
        Assert.Equal(5, p.SecurityLevel);
        Assert.Equal(0xFFFFFFFFu, p.DeviceAddress);
        Assert.Equal(128, p.PacketLength);
        Assert.Equal(57600, p.BaudRate);
        Assert.Null(FingerprintSystemParameters.Parse(new byte[3]));
    }
}
