using Kiosk.Firmware.Devices.Pn532;

namespace Firmware.Tests;

/// <summary>Extended-length APDUs through InDataExchange chaining, and bounded time and memory for a card that never stops.</summary>
public class Pn532ChainingTests
{
    private readonly FakeClock _clock = new();

    private static byte[] ExtendedReadBinary() => Hex.Bytes("00B0000000FFFF"); // Le 65535, extended

    [Fact]
    public void SendsAMaximalExtendedCommandInChunksAndAssemblesAMaximalAnswer()
    {
        byte[] command = new byte[Pn532Driver.MaxCommandLength];
        new Random(1).NextBytes(command);
        byte[] answer = new byte[65536 + 2];
        new Random(2).NextBytes(answer);
        answer[^2] = 0x90;
        answer[^1] = 0x00;
        var received = new List<byte>();
        int offset = 0;
        var device = new ScriptedPn532(_clock, cmd =>
        {
            if ((cmd[1] & 0x40) != 0)
            {
                received.AddRange(cmd.Skip(2));
                return ScriptedPn532.Answer(0x40, 0x00);
            }
            received.AddRange(cmd.Skip(2));
            int n = Math.Min(262, answer.Length - offset);
            bool more = offset + n < answer.Length;
            byte[] part = new[] { more ? (byte)0x40 : (byte)0x00 }.Concat(answer.Skip(offset).Take(n)).ToArray();
            offset += n;
            return ScriptedPn532.Answer(0x40, part);
        });
        var driver = new Pn532Driver(device, _clock);
        Pn532Result result = driver.Exchange(1, command);
        Assert.True(result.IsOk, result.Problem);
        Assert.Equal(command, received.ToArray());
        Assert.Equal(answer, result.Data);
        Assert.Equal((command.Length + 251) / 252 + (answer.Length + 261) / 262 - 1, device.Commands.Count);
    }

    [Fact]
    public void ACardThatNeverStopsChainingIsCutOffBySizeAndReleased()
    {
        var device = new ScriptedPn532(_clock, cmd => cmd[0] == 0x40
            ? ScriptedPn532.Answer(0x40, new byte[] { 0x40 }.Concat(new byte[262]).ToArray())
            : ScriptedPn532.Answer(cmd[0], 0x00));
        var driver = new Pn532Driver(device, _clock) { ExchangeTotalTimeoutMilliseconds = int.MaxValue / 2 };
        Pn532Result result = driver.Exchange(1, ExtendedReadBinary());
        Assert.Equal(Pn532Status.DeviceError, result.Status);
        Assert.InRange(device.Commands.Count(c => c[0] == 0x40), 1, Pn532Driver.MaxResponseFrames);
        Assert.Equal("5201", Hex.Of(device.Commands.Last()));
    }

    [Fact]
    public void EmptyChainedFramesAreCutOffAtOnce()
    {
        var device = new ScriptedPn532(_clock, cmd => cmd[0] == 0x40 ? ScriptedPn532.Answer(0x40, 0x40) : ScriptedPn532.Answer(cmd[0], 0x00));
        var driver = new Pn532Driver(device, _clock);
        Pn532Result result = driver.Exchange(1, ExtendedReadBinary());
        Assert.Equal(Pn532Status.DeviceError, result.Status);
        Assert.Equal(Pn532Driver.MaxEmptyChainedFrames + 1, device.Commands.Count(c => c[0] == 0x40));
    }

    [Fact]
    public void ASlowChainStopsAtTheWholeExchangeDeadline()
    {
        // Each chained frame takes 400 ms on the card: the whole exchange must still end by its deadline.
        var device = new ScriptedPn532(_clock, cmd =>
        {
            if (cmd[0] != 0x40) return ScriptedPn532.Answer(cmd[0], 0x00);
            _clock.Advance(400);
            return ScriptedPn532.Answer(0x40, new byte[] { 0x40 }.Concat(new byte[10]).ToArray());
        });
        var driver = new Pn532Driver(device, _clock);
        long start = _clock.NowMilliseconds;
        Pn532Result result = driver.Exchange(1, ExtendedReadBinary());
        Assert.Equal(Pn532Status.DeviceError, result.Status);
        Assert.InRange(_clock.NowMilliseconds - start, driver.ExchangeTotalTimeoutMilliseconds, driver.ExchangeTotalTimeoutMilliseconds + 1000);
    }

    [Fact]
    public void ACardThatFallsSilentMidChainTimesOutWithinTheDeadline()
    {
        int frames = 0;
        var device = new ScriptedPn532(_clock, cmd =>
        {
            if (cmd[0] != 0x40) return ScriptedPn532.Answer(cmd[0], 0x00);
            // ACK, then silence from the third frame on.
            return ++frames < 3 ? ScriptedPn532.Answer(0x40, new byte[] { 0x40, 0x01, 0x02 }) : Kiosk.Firmware.Protocols.Pn532.Pn532Frame.Ack();
        });
        var driver = new Pn532Driver(device, _clock);
        long start = _clock.NowMilliseconds;
        Pn532Result result = driver.Exchange(1, ExtendedReadBinary());
        Assert.Equal(Pn532Status.Timeout, result.Status);
        Assert.True(_clock.NowMilliseconds - start <= driver.ExchangeTotalTimeoutMilliseconds + driver.AckTimeoutMilliseconds * 2 + 50);
    }
}
