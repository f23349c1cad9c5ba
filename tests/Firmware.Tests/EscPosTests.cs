using Kiosk.DeviceContract;
using Kiosk.Firmware.Devices.ReceiptPrinter;

namespace Firmware.Tests;

public class EscPosTests
{
    [Fact]
    public void StatusRequestsAreByteExact()
    {
        Assert.Equal("100402", Hex.Of(EscPos.StatusRequest(EscPos.StatusOffline)));
        Assert.Equal("100404", Hex.Of(EscPos.StatusRequest(EscPos.StatusPaperRoll)));
    }

    [Theory]
    [InlineData(0x12, false)]
    [InlineData(0x16, true)]
    [InlineData(0x36, true)]
    [InlineData(0x32, false)]
    public void CoverOpenIsBitTwoOfOfflineStatus(byte status, bool open)
    {
        Assert.Equal(open, EscPos.IsCoverOpen(status));
    }

    [Theory]
    [InlineData(0x12, PaperLevel.Ok)]
    [InlineData(0x1E, PaperLevel.NearEnd)]
    [InlineData(0x72, PaperLevel.Out)]
    [InlineData(0x7E, PaperLevel.Out)]
    public void PaperLevelFromPaperRollStatus(byte status, PaperLevel expected)
    {
        Assert.Equal(expected, EscPos.ParsePaperLevel(status));
    }

    [Theory]
    [InlineData(0x12, true)]
    [InlineData(0x13, false)]
    [InlineData(0x92, false)]
    public void StatusBytesHaveBitsZeroAndSevenClear(byte value, bool isStatus)
    {
        Assert.Equal(isStatus, EscPos.IsStatusByte(value));
    }
}
