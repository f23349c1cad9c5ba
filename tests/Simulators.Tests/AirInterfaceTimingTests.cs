using Kiosk.Simulators.Peripherals.Pn532;

namespace Simulators.Tests;

/// <summary>The air-interface timing model: bit rates, ISO-DEP blocks and R(ACK)s, frame waiting time.</summary>
public class AirInterfaceTimingTests
{
    [Theory]
    [InlineData(0, 0.302)]
    [InlineData(4, 4.833)]
    [InlineData(8, 77.3)]
    [InlineData(14, 4949)]
    public void Frame_waiting_time_follows_fwi(int fwi, double expectedMs)
    {
        Assert.Equal(expectedMs, AirInterfaceTiming.FrameWaitingTime(fwi).TotalMilliseconds, expectedMs * 0.01);
    }

    [Fact]
    public void Fwi_15_is_read_as_the_default()
    {
        Assert.Equal(AirInterfaceTiming.FrameWaitingTime(4), AirInterfaceTiming.FrameWaitingTime(15));
    }

    [Fact]
    public void Short_exchange_is_one_block_each_way()
    {
        // READ BINARY (5 bytes) with a 258-byte answer at 106 kbit/s: 2 blocks back (253 + 5) and one R(ACK).
        long command = (5 + 3) * 10 + 32;
        long answer = (253 + 3) * 10 + 32 + (0 + 3) * 10 + 32 + (5 + 3) * 10 + 32;
        Assert.Equal(command, AirInterfaceTiming.MessageBits(5, 256));
        Assert.Equal(answer, AirInterfaceTiming.MessageBits(258, 256));
        double expected = (command + answer) / 106.0 + 2;
        Assert.Equal(expected, AirInterfaceTiming.Exchange(5, 258).TotalMilliseconds, 3);
    }

    [Fact]
    public void Faster_bit_rates_shrink_only_the_transfer()
    {
        double[] times = AirInterfaceTiming.BitRates.Select(r => AirInterfaceTiming.Exchange(13, 258, r).TotalMilliseconds - 2).ToArray();
        for (int i = 1; i < times.Length; i++) Assert.Equal(times[0] / (AirInterfaceTiming.BitRates[i] / 106.0), times[i], 3);
        Assert.True(AirInterfaceTiming.Exchange(13, 258, 424) < AirInterfaceTiming.Exchange(13, 258, 106));
    }

    [Fact]
    public void A_small_card_frame_size_costs_more_blocks()
    {
        Assert.True(AirInterfaceTiming.Exchange(300, 2, 424, cardFrameSize: 32) > AirInterfaceTiming.Exchange(300, 2, 424, cardFrameSize: 256));
        // 300 bytes in 29-byte blocks: 11 I-blocks and 10 R(ACK)s.
        Assert.Equal(300 * 10 + 11 * (3 * 10 + 32) + 10 * (3 * 10 + 32), AirInterfaceTiming.MessageBits(300, 32));
    }

    [Fact]
    public void Card_processing_never_exceeds_the_frame_waiting_time()
    {
        TimeSpan quick = AirInterfaceTiming.Exchange(5, 2, 106, 256, fwi: 0);
        TimeSpan normal = AirInterfaceTiming.Exchange(5, 2, 106, 256, fwi: 8);
        Assert.Equal(AirInterfaceTiming.CardProcessingTime - AirInterfaceTiming.FrameWaitingTime(0), normal - quick);
        Assert.True(AirInterfaceTiming.NoAnswer(5, 106, 256, 8) > AirInterfaceTiming.FrameWaitingTime(8));
    }

    [Fact]
    public void Total_sums_exchanges_and_rejects_unknown_bit_rates()
    {
        (int, int)[] log = [(13, 2), (5, 258), (5, 100)];
        Assert.Equal(log.Sum(e => AirInterfaceTiming.Exchange(e.Item1, e.Item2, 424).Ticks), AirInterfaceTiming.Total(log, 424).Ticks);
        Assert.Throws<ArgumentOutOfRangeException>(() => AirInterfaceTiming.Exchange(1, 1, 300));
    }
}
