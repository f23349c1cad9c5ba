using Kiosk.DeviceContract;
using Kiosk.Firmware.Devices.ReceiptPrinter;

namespace Firmware.Tests;

public class ReceiptPrinterTests
{
    private readonly FakeClock _clock = new();

    [Fact]
    public void ReadsCoverAndPaper()
    {
        var device = new ScriptedPrinter(_clock) { CoverOpen = true, Paper = "near-end" };
        PrinterStatus status = new ReceiptPrinter(device).ReadStatus();
        Assert.True(status.IsOnline);
        Assert.True(status.CoverOpen);
        Assert.Equal(PaperLevel.NearEnd, status.Paper);
        Assert.Equal("100402100404", Hex.Of(device.Written));
    }

    [Fact]
    public void PrintsInChunksWhenReady()
    {
        var device = new ScriptedPrinter(_clock);
        byte[] job = Enumerable.Range(0, 1500).Select(i => (byte)(0x20 + i % 90)).ToArray();
        PrintResult result = new ReceiptPrinter(device).Print(job, out _);
        Assert.Equal(PrintResult.Ok, result);
        Assert.Equal(job, device.Printed.ToArray());
        Assert.Equal(2 + 3, device.Writes); // two status requests, three chunks of at most 512 bytes
    }

    [Theory]
    [InlineData(true, "ok", PrintResult.CoverOpen)]
    [InlineData(false, "out", PrintResult.PaperOut)]
    [InlineData(false, "near-end", PrintResult.Ok)]
    public void PrintsOnlyWithPaperAndClosedCover(bool coverOpen, string paper, PrintResult expected)
    {
        var device = new ScriptedPrinter(_clock) { CoverOpen = coverOpen, Paper = paper };
        Assert.Equal(expected, new ReceiptPrinter(device).Print(new byte[] { 0x1B, 0x40, 0x41 }, out _));
        Assert.Equal(expected == PrintResult.Ok ? 3 : 0, device.Printed.Count);
    }

    [Fact]
    public void SilentPrinterTimesOut()
    {
        var device = new ScriptedPrinter(_clock) { Unplugged = true };
        Assert.Equal(PrintResult.Timeout, new ReceiptPrinter(device).Print(new byte[] { 0x41 }, out PrinterStatus status));
        Assert.False(status.IsOnline);
    }
}
