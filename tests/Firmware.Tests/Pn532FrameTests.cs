using Kiosk.Firmware.Protocols.Pn532;

namespace Firmware.Tests;

public class Pn532FrameTests
{
    [Fact]
    public void GetFirmwareVersionCommandIsByteExact()
    {
        Assert.Equal("0000FF02FED4022A00", Hex.Of(Pn532Frame.Encode(0xD4, new byte[] { 0x02 })));
    }

    [Fact]
    public void DecodesTypicalFirmwareVersionResponse()
    {
        byte[] frame = Hex.Bytes("00 00 FF 06 FA D5 03 32 01 06 07 E8 00");
        Pn532FrameDecodeResult result = Pn532Frame.TryDecode(frame, 0, frame.Length);
        Assert.Equal(Pn532FrameKind.Information, result.Kind);
        Assert.Equal(frame.Length, result.Consumed);
        Assert.Equal(0xD5, result.Tfi);
        Assert.Equal("0332010607", Hex.Of(result.Data));
    }

    [Fact]
    public void AckNackAndErrorFramesAreByteExactAndDecoded()
    {
        Assert.Equal("0000FF00FF00", Hex.Of(Pn532Frame.Ack()));
        Assert.Equal("0000FFFF0000", Hex.Of(Pn532Frame.Nack()));
        Assert.Equal(Pn532FrameKind.Ack, Pn532Frame.TryDecode(Pn532Frame.Ack(), 0, 6).Kind);
        Assert.Equal(Pn532FrameKind.Nack, Pn532Frame.TryDecode(Pn532Frame.Nack(), 0, 6).Kind);
        byte[] error = Pn532Frame.ApplicationError();
        Pn532FrameDecodeResult decoded = Pn532Frame.TryDecode(error, 0, error.Length);
        Assert.Equal(Pn532FrameKind.ApplicationError, decoded.Kind);
        Assert.Equal(8, decoded.Consumed);
    }

    [Fact]
    public void ExtendedFrameRoundTripsWithLengthChecksum()
    {
        byte[] data = Enumerable.Range(0, 299).Select(i => (byte)i).ToArray();
        byte[] frame = Pn532Frame.Encode(0xD5, data);
        // 00 00 FF FF FF LENM LENL LCS: length 300 = 0x012C, LCS = 0x100 - (0x01 + 0x2C) = 0xD3.
        Assert.Equal("0000FFFFFF012CD3", Hex.Of(frame.Take(8).ToArray()));
        Assert.Equal(10 + 300, frame.Length);
        Pn532FrameDecodeResult result = Pn532Frame.TryDecode(frame, 0, frame.Length);
        Assert.Equal(Pn532FrameKind.Information, result.Kind);
        Assert.Equal(data, result.Data);
        Assert.Equal(frame.Length, result.Consumed);
    }

    [Fact]
    public void SkipsNoiseAndWakeUpBytesBeforeAFrame()
    {
        byte[] input = Hex.Bytes("55 55 00 00 00 13 37").Concat(Pn532Frame.Encode(0xD4, new byte[] { 0x02 })).ToArray();
        Pn532FrameDecodeResult result = Pn532Frame.TryDecode(input, 0, input.Length);
        Assert.Equal(Pn532FrameKind.Information, result.Kind);
        Assert.Equal(input.Length, result.Consumed);
        Assert.Equal(new byte[] { 0x02 }, result.Data);
    }

    [Fact]
    public void WrongDataChecksumIsGarbledAndDropsTheFrame()
    {
        byte[] frame = Hex.Bytes("00 00 FF 06 FA D5 03 32 01 06 07 E9 00");
        Pn532FrameDecodeResult result = Pn532Frame.TryDecode(frame, 0, frame.Length);
        Assert.Equal(Pn532FrameKind.Garbled, result.Kind);
        Assert.Equal(frame.Length, result.Consumed);
    }

    [Fact]
    public void WrongLengthChecksumIsGarbled()
    {
        byte[] frame = Hex.Bytes("00 00 FF 06 FB D5 03 32 01 06 07 E8 00");
        Pn532FrameDecodeResult result = Pn532Frame.TryDecode(frame, 0, frame.Length);
        Assert.Equal(Pn532FrameKind.Garbled, result.Kind);
        Assert.True(result.Consumed > 0);
    }

    [Fact]
    public void TruncatedFrameNeedsMore()
    {
        byte[] frame = Hex.Bytes("00 00 FF 06 FA D5 03 32 01");
        Pn532FrameDecodeResult result = Pn532Frame.TryDecode(frame, 0, frame.Length);
        Assert.Equal(Pn532FrameKind.NeedMore, result.Kind);
        // Only the preamble byte before the 00 FF start code may be dropped; the partial frame is kept.
        Assert.Equal(1, result.Consumed);
    }

    [Fact]
    public void HugeExtendedLengthIsRejectedWithoutWaitingForIt()
    {
        // Length 0xFFF0 with a correct length checksum: far beyond what the PN532 can send.
        byte[] frame = Hex.Bytes("00 00 FF FF FF FF F0 11 D5 41 00");
        Pn532FrameDecodeResult result = Pn532Frame.TryDecode(frame, 0, frame.Length);
        Assert.Equal(Pn532FrameKind.Garbled, result.Kind);
        Assert.True(result.Consumed > 0);
    }

    [Fact]
    public void EncodeRefusesFramesLongerThanTheCodecAccepts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pn532Frame.Encode(0xD4, new byte[Pn532Frame.MaxExtendedLength]));
    }
}
