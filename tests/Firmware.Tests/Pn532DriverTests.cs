using Kiosk.Firmware.Devices.Pn532;
using Kiosk.Firmware.Protocols.Pn532;

namespace Firmware.Tests;

public class Pn532DriverTests
{
    private readonly FakeClock _clock = new();

    private (Pn532Driver Driver, ScriptedPn532 Device) Create(Func<byte[], byte[]?> handler)
    {
        var device = new ScriptedPn532(_clock, handler);
        return (new Pn532Driver(device, _clock), device);
    }

    [Fact]
    public void WakeUpSendsWakeBytesThenSamConfigurationInNormalMode()
    {
        var (driver, device) = Create(cmd => ScriptedPn532.Answer(cmd[0]));
        Assert.True(driver.WakeUp().IsOk);
        Assert.Equal("55550000000000000000000000000000", Hex.Of(device.Written.Take(16)));
        Assert.Equal("14011401", Hex.Of(device.Commands.Single()));
    }

    [Fact]
    public void ReadsFirmwareVersion()
    {
        var (driver, device) = Create(cmd => Hex.Bytes("0000FF00FF00" + "0000FF06FAD50332010607E800"));
        Pn532Result result = driver.GetFirmwareVersion(out Pn532FirmwareVersion version);
        Assert.True(result.IsOk);
        Assert.Equal(0x32, version.IcVersion);
        Assert.Equal(1, version.Version);
        Assert.Equal(6, version.Revision);
        Assert.Equal("0000FF02FED4022A00", Hex.Of(device.Written));
    }

    [Fact]
    public void ConfiguresMaxRetriesAndRfField()
    {
        var (driver, device) = Create(cmd => ScriptedPn532.Answer(cmd[0]));
        Assert.True(driver.ConfigureMaxRetries().IsOk);
        Assert.True(driver.SetRfField(false).IsOk);
        Assert.True(driver.SetRfField(true).IsOk);
        Assert.Equal(new[] { "3205FF0101", "320100", "320101" }, device.Commands.Select(Hex.Of));
    }

    [Fact]
    public void ListsTypeAAndTypeBTargets()
    {
        var (driver, device) = Create(cmd => cmd[2] == 0x00
            ? ScriptedPn532.Answer(cmd[0], Hex.Bytes("01 01 0004 20 04 01020304 05 78807002"))
            : ScriptedPn532.Answer(cmd[0], 0x00));
        Assert.True(driver.ListPassiveTarget(CardType.TypeA, out Pn532Target target).IsOk);
        Assert.Equal(1, target.TargetNumber);
        Assert.Equal(CardType.TypeA, target.Type);
        Pn532Result typeB = driver.ListPassiveTarget(CardType.TypeB, out Pn532Target none);
        Assert.Equal(Pn532Status.NoCard, typeB.Status);
        Assert.Null(none);
        Assert.Equal(new[] { "4A0100", "4A010300" }, device.Commands.Select(Hex.Of));
    }

    [Fact]
    public void ExchangesAShortApdu()
    {
        var (driver, device) = Create(cmd => ScriptedPn532.Answer(cmd[0], Hex.Bytes("00 6A82")));
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00A4040C07A0000002471001"));
        Assert.True(result.IsOk);
        Assert.Equal("6A82", Hex.Of(result.Data));
        Assert.Equal("400100A4040C07A0000002471001", Hex.Of(device.Commands.Single()));
    }

    [Fact]
    public void ChainsALongCommandWithMoreInformationOnTheTargetByte()
    {
        byte[] apdu = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        var (driver, device) = Create(cmd => (cmd[1] & 0x40) != 0 ? ScriptedPn532.Answer(cmd[0], 0x00) : ScriptedPn532.Answer(cmd[0], Hex.Bytes("00 9000")));
        Pn532Result result = driver.Exchange(1, apdu);
        Assert.True(result.IsOk);
        Assert.Equal("9000", Hex.Of(result.Data));
        Assert.Equal(3, device.Commands.Count);
        Assert.Equal(new byte[] { 0x41, 0x41, 0x01 }, device.Commands.Select(c => c[1]).ToArray());
        Assert.Equal(apdu, device.Commands.SelectMany(c => c.Skip(2)).ToArray());
        Assert.All(device.Commands, c => Assert.True(c.Length - 2 <= Pn532Commands.MaxDataOutPerFrame));
    }

    [Fact]
    public void AssemblesAChainedResponse()
    {
        int part = 0;
        var (driver, device) = Create(cmd =>
        {
            part++;
            byte status = part < 3 ? (byte)0x40 : (byte)0x00;
            byte[] data = Enumerable.Repeat((byte)part, part < 3 ? 200 : 2).ToArray();
            return ScriptedPn532.Answer(cmd[0], new[] { status }.Concat(data).ToArray());
        });
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.True(result.IsOk);
        Assert.Equal(402, result.Data.Length);
        Assert.Equal(3, result.Data[401]);
        // The follow-up requests carry only the target number.
        Assert.Equal("4001", Hex.Of(device.Commands[1]));
    }

    [Fact]
    public void CardRemovedMidExchangeIsNoCard()
    {
        int calls = 0;
        var (driver, _) = Create(cmd => ++calls == 1 ? ScriptedPn532.Answer(cmd[0], 0x40, 0xAA) : ScriptedPn532.Answer(cmd[0], 0x01));
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.Equal(Pn532Status.NoCard, result.Status);
        Assert.Equal(0x01, result.ErrorCode);
    }

    [Fact]
    public void OtherPn532ErrorsAreDeviceErrorsWithTheirCode()
    {
        var (driver, _) = Create(cmd => ScriptedPn532.Answer(cmd[0], 0x02));
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.Equal(Pn532Status.DeviceError, result.Status);
        Assert.Equal(0x02, result.ErrorCode);
    }

    [Fact]
    public void DeviceThatNeverAnswersTimesOutInBoundedTime()
    {
        var (driver, device) = Create(_ => null);
        long before = _clock.NowMilliseconds;
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.Equal(Pn532Status.Timeout, result.Status);
        Assert.InRange(_clock.NowMilliseconds - before, 1, 1000);
        // An InDataExchange is not retransmitted on silence (the PN532 may have it and the card must not run it twice);
        // other commands are sent twice.
        Assert.Single(device.Commands);
        Assert.Equal(Pn532Status.Timeout, driver.GetFirmwareVersion(out _).Status);
        Assert.Equal(3, device.Commands.Count);
    }

    [Fact]
    public void LateAnswerToATimedOutCommandIsNotTakenForTheNextCommandsAnswer()
    {
        // The type A search is acknowledged but answered only after the driver gave up; the answer then arrives just
        // after the type B search was sent, before its ACK. It must not become a type B card.
        byte[] lateTypeA = ScriptedPn532.Frame(0x4A, Hex.Bytes("01 01 0004 20 04 01020304 05 78807002"));
        var (driver, device) = Create(cmd => cmd[2] == 0x00
            ? Pn532Frame.Ack()
            : lateTypeA.Concat(ScriptedPn532.Answer(cmd[0], 0x00)).ToArray());
        Assert.Equal(Pn532Status.Timeout, driver.ListPassiveTarget(CardType.TypeA, out _).Status);
        Pn532Result typeB = driver.ListPassiveTarget(CardType.TypeB, out Pn532Target none);
        Assert.Equal(Pn532Status.NoCard, typeB.Status);
        Assert.Null(none);
        Assert.Equal(new[] { "4A0100", "4A010300" }, device.Commands.Select(Hex.Of));
    }

    [Fact]
    public void LateAckAndAnswerOfATypeASearchDoNotMakeATypeBCard()
    {
        // The type A search got no ACK in time (sent twice, given up); its ACK and answer then arrive just after the
        // type B search was sent, and an ACK cannot say which command it belongs to. The type A data is no ATQB.
        byte[] lateTypeA = ScriptedPn532.Answer(0x4A, Hex.Bytes("01 01 0004 20 04 01020304 05 78807002"));
        int typeBSearches = 0;
        var (driver, device) = Create(cmd => cmd[2] == 0x00 ? null
            : ++typeBSearches == 1 ? lateTypeA.Concat(ScriptedPn532.Answer(cmd[0], 0x00)).ToArray()
            : ScriptedPn532.Answer(cmd[0], 0x00));
        Assert.Equal(Pn532Status.Timeout, driver.ListPassiveTarget(CardType.TypeA, out _).Status);
        Pn532Result typeB = driver.ListPassiveTarget(CardType.TypeB, out Pn532Target none);
        Assert.Equal(Pn532Status.DeviceError, typeB.Status);
        Assert.Null(none);
        // The type B search's own answer ("no target") is stale by now; the next command discards it.
        Assert.Equal(Pn532Status.NoCard, driver.ListPassiveTarget(CardType.TypeB, out _).Status);
    }

    [Fact]
    public void AnswerWithoutAnAckIsNotTrusted()
    {
        // Only an answer after this command's ACK counts; a lone answer frame is stale, and the command is sent again.
        var (driver, device) = Create(cmd => ScriptedPn532.Frame(cmd[0], 0x32, 0x01, 0x06, 0x07));
        Assert.Equal(Pn532Status.Timeout, driver.GetFirmwareVersion(out _).Status);
        Assert.Equal(2, device.Commands.Count);
    }

    [Fact]
    public void AcknowledgedButUnansweredCommandIsAbortedWithAnAck()
    {
        var (driver, device) = Create(_ => Pn532Frame.Ack());
        long before = _clock.NowMilliseconds;
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.Equal(Pn532Status.Timeout, result.Status);
        Assert.InRange(_clock.NowMilliseconds - before, driver.ExchangeTimeoutMilliseconds, driver.ExchangeTimeoutMilliseconds + 500);
        Assert.Equal(1, device.AcksReceived);
    }

    [Fact]
    public void CardThatChainsForeverStopsAtTheMaximumResponseSize()
    {
        var (driver, device) = Create(cmd => ScriptedPn532.Answer(cmd[0], new byte[] { 0x40 }.Concat(new byte[250]).ToArray()));
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.Equal(Pn532Status.DeviceError, result.Status);
        Assert.InRange(device.Commands.Count, Pn532Driver.MaxResponseLength / 250, Pn532Driver.MaxResponseLength / 250 + 2);
    }

    [Fact]
    public void EndlessNoiseStreamTimesOutInBoundedTime()
    {
        var device = new NoiseLink(_clock);
        var driver = new Pn532Driver(device, _clock);
        long before = _clock.NowMilliseconds;
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.Equal(Pn532Status.Timeout, result.Status);
        Assert.InRange(_clock.NowMilliseconds - before, 1, 1000);
    }

    [Fact]
    public void NackFromThePn532MakesTheDriverRetransmit()
    {
        int calls = 0;
        var (driver, device) = Create(cmd => ++calls == 1 ? Pn532Frame.Nack() : ScriptedPn532.Answer(cmd[0], 0x00, 0x90, 0x00));
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.True(result.IsOk);
        Assert.Equal(2, device.Commands.Count);
    }

    [Fact]
    public void GarbledAnswerIsAskedAgainWithANack()
    {
        var (driver, device) = Create(cmd =>
        {
            byte[] garbled = ScriptedPn532.Answer(cmd[0], 0x00, 0x90, 0x00);
            garbled[^2] ^= 0xFF; // wrong data checksum
            return garbled;
        });
        device.NackAnswer = ScriptedPn532.Frame(0x40, 0x00, 0x90, 0x00);
        Pn532Result result = driver.Exchange(1, Hex.Bytes("00B0000000"));
        Assert.True(result.IsOk, result.Problem);
        Assert.Equal("9000", Hex.Of(result.Data));
        Assert.Equal(1, device.NacksReceived);
    }

    [Fact]
    public void ApplicationErrorFrameIsDeviceError()
    {
        var (driver, _) = Create(_ => Pn532Frame.Ack().Concat(Pn532Frame.ApplicationError()).ToArray());
        Assert.Equal(Pn532Status.DeviceError, driver.GetFirmwareVersion(out _).Status);
    }

    [Fact]
    public void AnswerToAnotherCommandIsDeviceError()
    {
        var (driver, _) = Create(cmd => ScriptedPn532.Answer(0x4A, 0x00));
        Assert.Equal(Pn532Status.DeviceError, driver.GetFirmwareVersion(out _).Status);
    }

    [Fact]
    public void PresenceTestAndRelease()
    {
        bool present = true;
        var (driver, device) = Create(cmd => cmd[0] == 0x00 ? ScriptedPn532.Answer(0x00, present ? (byte)0x00 : (byte)0x01) : ScriptedPn532.Answer(cmd[0], 0x00));
        Assert.True(driver.CheckCardPresence().IsOk);
        present = false;
        Assert.Equal(Pn532Status.NoCard, driver.CheckCardPresence().Status);
        Assert.True(driver.Release(1).IsOk);
        Assert.Equal(new[] { "0006", "0006", "5201" }, device.Commands.Select(Hex.Of));
    }

    [Fact]
    public void RefusesEmptyOrOversizedApdus()
    {
        var (driver, device) = Create(cmd => ScriptedPn532.Answer(cmd[0], 0x00));
        Assert.Equal(Pn532Status.DeviceError, driver.Exchange(1, Array.Empty<byte>()).Status);
        Assert.Equal(Pn532Status.DeviceError, driver.Exchange(1, new byte[Pn532Driver.MaxCommandLength + 1]).Status);
        Assert.Empty(device.Commands);
    }

    /// <summary>A line that never stops sending garbage that is not a frame.</summary>
    private sealed class NoiseLink : Kiosk.Firmware.Platform.ISerialLink
    {
        private readonly FakeClock _clock;
        private readonly Random _random = new(1);
        public NoiseLink(FakeClock clock) { _clock = clock; }
        public void Write(byte[] buffer, int offset, int count) { }
        public void DiscardInput() { }
        public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            _clock.Advance(1);
            int n = Math.Min(count, 64);
            for (int i = 0; i < n; i++) buffer[offset + i] = (byte)(0x80 | _random.Next(128));
            return n;
        }
    }
}
