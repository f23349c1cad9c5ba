using Kiosk.Firmware.Devices.Fingerprint;

namespace Firmware.Tests;

public class FingerprintSensorTests
{
    private readonly FakeClock _clock = new();

    [Fact]
    public void ReadsSystemParametersAtStartUp()
    {
        var device = new ScriptedFingerprint(_clock, cmd => ScriptedFingerprint.Ack(0x00, Hex.Bytes("0000 0000 03E8 0005 FFFFFFFF 0002 0006")));
        var sensor = new FingerprintSensor(device, _clock);
        FingerprintResult result = sensor.ReadSystemParameters(out FingerprintSystemParameters parameters);
        Assert.True(result.IsOk);
        Assert.Equal(1000, parameters.Capacity);
        Assert.Equal("EF01FFFFFFFF0100030F0013", Hex.Of(device.Written));
    }

    [Theory]
    [InlineData(0x00, FingerprintConfirmation.Ok)]
    [InlineData(0x02, FingerprintConfirmation.NoFinger)]
    [InlineData(0x03, FingerprintConfirmation.ImageFail)]
    public void CaptureImageReportsTheConfirmationCode(byte code, FingerprintConfirmation expected)
    {
        var device = new ScriptedFingerprint(_clock, cmd => ScriptedFingerprint.Ack(code));
        FingerprintResult result = new FingerprintSensor(device, _clock).CaptureImage();
        Assert.Equal(FingerprintStatus.Answered, result.Status);
        Assert.Equal(expected, result.Confirmation);
        Assert.Equal("EF01FFFFFFFF010003010005", Hex.Of(device.Written));
    }

    [Fact]
    public void SilentModuleTimesOutInBoundedTime()
    {
        var device = new ScriptedFingerprint(_clock, _ => null);
        long before = _clock.NowMilliseconds;
        FingerprintResult result = new FingerprintSensor(device, _clock).CaptureImage();
        Assert.Equal(FingerprintStatus.Timeout, result.Status);
        Assert.InRange(_clock.NowMilliseconds - before, 1000, 1100);
    }

    [Fact]
    public void GarbledAckIsReportedAsGarbled()
    {
        var device = new ScriptedFingerprint(_clock, _ =>
        {
            byte[] ack = ScriptedFingerprint.Ack(0x00);
            ack[^1] ^= 0x55;
            return ack;
        });
        Assert.Equal(FingerprintStatus.Garbled, new FingerprintSensor(device, _clock).CaptureImage().Status);
    }

    [Fact]
    public void NoiseBeforeTheAckIsSkipped()
    {
        var device = new ScriptedFingerprint(_clock, _ => Hex.Bytes("FF 00 EF 13").Concat(ScriptedFingerprint.Ack(0x02)).ToArray());
        FingerprintResult result = new FingerprintSensor(device, _clock).CaptureImage();
        Assert.Equal(FingerprintConfirmation.NoFinger, result.Confirmation);
    }

    [Fact]
    public void ExecuteSendsAnyInstructionWithParameters()
    {
        var device = new ScriptedFingerprint(_clock, _ => ScriptedFingerprint.Ack(0x00));
        Assert.True(new FingerprintSensor(device, _clock).Execute(FingerprintInstruction.Img2Tz, new byte[] { 0x01 }, 1000).IsOk);
        Assert.Equal("0201", Hex.Of(device.Commands.Single()));
    }

    [Fact]
    public void BeginReturnsAtOnceAndPollCollectsTheAckWhenItArrives()
    {
        var device = new ScriptedFingerprint(_clock, _ => null); // answers later, by hand
        var sensor = new FingerprintSensor(device, _clock);
        Assert.Throws<InvalidOperationException>(() => sensor.Poll(0));
        long before = _clock.NowMilliseconds;
        sensor.Begin(FingerprintInstruction.GenImg, null, 1000);
        Assert.True(sensor.IsBusy);
        Assert.Null(sensor.Poll(0));
        Assert.Null(sensor.Poll(0));
        Assert.InRange(_clock.NowMilliseconds - before, 0, 10); // nothing waited for the module
        device.Send(Hex.Bytes("00 EF").Concat(ScriptedFingerprint.Ack(0x02)).ToArray()); // noise, then the ack
        FingerprintResult result = sensor.Poll(0)!;
        Assert.Equal(FingerprintConfirmation.NoFinger, result.Confirmation);
        Assert.False(sensor.IsBusy);
    }

    [Fact]
    public void APolledCommandTimesOutOnceItsTimeIsUp()
    {
        var device = new ScriptedFingerprint(_clock, _ => null);
        var sensor = new FingerprintSensor(device, _clock);
        sensor.Begin(FingerprintInstruction.GenImg, null, 1000);
        _clock.Advance(999);
        Assert.Null(sensor.Poll(0));
        _clock.Advance(5);
        Assert.Equal(FingerprintStatus.Timeout, sensor.Poll(0)!.Status);
        Assert.False(sensor.IsBusy);
    }
}
