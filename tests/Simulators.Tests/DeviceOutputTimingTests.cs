using System.Diagnostics;
using Kiosk.Firmware.Protocols.Pn532;
using Kiosk.Simulators.Peripherals.Pn532;
using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.Peripherals.Transport;

namespace Simulators.Tests;

/// <summary>
/// How the serial bridge paces a device's answers: each one its modelled delay after the previous, counted from the
/// moment the command came in, never earlier (the simulator emulates the air time; it may not shorten it).
/// </summary>
public class DeviceOutputTimingTests
{
    private sealed class RecordingOutput : ISerialOutput
    {
        public List<(long At, byte[] Bytes)> Writes { get; } = new();
        /// <summary>Called at each write: lets a test look at the device's state at that moment.</summary>
        public Action? OnWrite { get; init; }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            OnWrite?.Invoke();
            Writes.Add((Stopwatch.GetTimestamp(), bytes.ToArray()));
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task The_pn532_acknowledges_a_command_before_executing_it()
    {
        // Like the chip: the ACK leaves at once, the activation (the card's reset, the air log) comes after it.
        var state = new PeripheralState();
        state.PlaceCard(VirtualCardTests.Profile("nguyen-van-an"), CardType.A, new CardPlacementOptions { MaxBitRateKbps = 424 });
        var pn532 = new VirtualPn532(state);
        var airAtWrite = new List<TimeSpan>();
        var output = new RecordingOutput { OnWrite = () => airAtWrite.Add(state.Card!.Air.Snapshot().AirTime) };
        await pn532.ReceiveAsync(Pn532Frame.Encode(Pn532Frame.HostToPn532, [0x4A, 0x01, 0x00]), output, CancellationToken.None);
        Assert.Equal(Pn532Frame.Ack(), output.Writes[0].Bytes);
        Assert.Equal(0x4B, Pn532Frame.TryDecode(output.Writes[1].Bytes, 0, output.Writes[1].Bytes.Length).Data[0]);
        Assert.Equal(TimeSpan.Zero, airAtWrite[0]);
        Assert.Equal(AirInterfaceTiming.ActivationTime, airAtWrite[1]);
    }

    private static long After(long start, double milliseconds) => start + (long)(milliseconds / 1000 * Stopwatch.Frequency);

    [Fact]
    public async Task Answers_go_in_order_and_never_before_their_modelled_time()
    {
        var output = new RecordingOutput();
        long start = Stopwatch.GetTimestamp();
        await output.SendAllAsync(start,
            [new DeviceOutput(TimeSpan.Zero, [1]), new DeviceOutput(TimeSpan.FromMilliseconds(4.3), [2]), new DeviceOutput(TimeSpan.FromMilliseconds(0.7), [3])],
            CancellationToken.None);
        Assert.Equal(new byte[][] { [1], [2], [3] }, output.Writes.Select(w => w.Bytes));
        Assert.True(output.Writes[0].At >= start);
        Assert.True(output.Writes[1].At >= After(start, 4.3), "the second answer came before its 4.3 ms");
        Assert.True(output.Writes[2].At >= After(start, 5.0), "the third answer came before 4.3 + 0.7 ms");
    }

    [Fact]
    public async Task Time_already_spent_on_the_command_counts_towards_the_delay()
    {
        // The command came in 50 ms ago (the device computed that long): an answer due 20 ms after it is sent at once,
        // one due 80 ms after it only after the remaining 30 ms.
        var output = new RecordingOutput();
        long start = Stopwatch.GetTimestamp() - (long)(0.050 * Stopwatch.Frequency);
        long before = Stopwatch.GetTimestamp();
        await output.SendAllAsync(start,
            [new DeviceOutput(TimeSpan.FromMilliseconds(20), [1]), new DeviceOutput(TimeSpan.FromMilliseconds(60), [2])],
            CancellationToken.None);
        Assert.True(output.Writes[1].At >= After(start, 80));
        Assert.True(output.Writes[1].At >= After(before, 29), "the remaining wait was skipped");
    }

    [Fact]
    public async Task A_precise_wait_never_ends_early_and_honours_cancellation()
    {
        for (int i = 0; i < 20; i++)
        {
            long due = After(Stopwatch.GetTimestamp(), 0.25 * i);
            await PreciseDelay.UntilAsync(due, CancellationToken.None);
            Assert.True(Stopwatch.GetTimestamp() >= due);
        }
        Assert.InRange(PreciseDelay.SpinMargin, PreciseDelay.MinMargin, PreciseDelay.MaxMargin);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PreciseDelay.UntilAsync(After(Stopwatch.GetTimestamp(), 1000), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PreciseDelay.UntilAsync(After(Stopwatch.GetTimestamp(), 1), cancelled.Token));
    }
}
