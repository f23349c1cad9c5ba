using System.Text;
using Kiosk.EdgeBroker.Bridge;

namespace EdgeBroker.Tests;

public sealed class OutboundQueueTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("bridge-queue-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    static string Drain(OutboundQueue queue)
    {
        var seen = new List<string>();
        while (queue.Peek() is { } next)
        {
            seen.Add(Encoding.UTF8.GetString(next.Payload));
            queue.Acknowledge(next.Sequence);
        }

        return string.Join(",", seen);
    }

    [Fact]
    public void Full_queue_drops_the_oldest_and_counts_across_a_reopen()
    {
        using (var queue = new OutboundQueue(_directory, maxMessages: 3, maxBytes: 1 << 20))
        {
            for (int index = 1; index <= 5; index++)
            {
                queue.Enqueue("kiosks/k1/v1/mcu-01/status", Bytes(index.ToString()), retain: true);
            }

            Assert.Equal(3, queue.Count);
            Assert.Equal(2, queue.Dropped);
            Assert.True(queue.Peek()!.Retain);
        }

        using var reopened = new OutboundQueue(_directory, maxMessages: 3, maxBytes: 1 << 20);
        Assert.Equal(2, reopened.Dropped);
        Assert.Equal("3,4,5", Drain(reopened));
    }

    [Fact]
    public void The_byte_bound_drops_the_oldest_too()
    {
        using var queue = new OutboundQueue(_directory, maxMessages: 100, maxBytes: 2048);
        for (int index = 0; index < 5; index++)
        {
            queue.Enqueue("t", new byte[600], retain: false);
        }

        Assert.Equal(3, queue.Count);
        Assert.Equal(2, queue.Dropped);
        queue.Enqueue("t", new byte[4096], retain: false); // can never fit: dropped, the rest stays
        Assert.Equal(3, queue.Count);
        Assert.Equal(3, queue.Dropped);
    }

    [Fact]
    public void Acknowledged_records_stay_forwarded_after_a_reopen_and_new_ones_follow_in_order()
    {
        using (var queue = new OutboundQueue(_directory, 100, 1 << 20))
        {
            queue.Enqueue("t", Bytes("a"), false);
            queue.Enqueue("t", Bytes("b"), false);
            queue.Acknowledge(queue.Peek()!.Sequence);
        }

        using (var queue = new OutboundQueue(_directory, 100, 1 << 20))
        {
            queue.Enqueue("t", Bytes("c"), false);
            Assert.Equal("b,c", Drain(queue));
            Assert.Equal(0, new FileInfo(Path.Combine(_directory, OutboundQueue.LogFileName)).Length);
            queue.Enqueue("t", Bytes("d"), false);
        }

        using var last = new OutboundQueue(_directory, 100, 1 << 20);
        Assert.Equal("d", Drain(last));
    }

    [Fact]
    public void A_torn_last_record_is_cut_off_and_the_rest_kept()
    {
        using (var queue = new OutboundQueue(_directory, 100, 1 << 20))
        {
            queue.Enqueue("t", Bytes("whole"), false);
            queue.Enqueue("t", Bytes("torn"), false);
        }

        string log = Path.Combine(_directory, OutboundQueue.LogFileName);
        using (var file = new FileStream(log, FileMode.Open))
        {
            file.SetLength(file.Length - 3);
        }

        var warnings = new List<string>();
        using var reopened = new OutboundQueue(_directory, 100, 1 << 20, warnings.Add);
        Assert.Equal("whole", Drain(reopened));
        Assert.Single(warnings);
    }

    [Fact]
    public void Many_forwarded_records_are_compacted_away()
    {
        using var queue = new OutboundQueue(_directory, 10_000, 1 << 22);
        for (int index = 0; index < 300; index++)
        {
            queue.Enqueue("t", Bytes(index.ToString()), false);
        }

        for (int index = 0; index < 260; index++)
        {
            queue.Acknowledge(queue.Peek()!.Sequence);
        }

        long size = new FileInfo(Path.Combine(_directory, OutboundQueue.LogFileName)).Length;
        Assert.True(size < 300 * 20, $"log not compacted: {size} bytes");
        Assert.Equal(40, queue.Count);
        Assert.Equal("260", Encoding.UTF8.GetString(queue.Peek()!.Payload));
    }

    [Fact]
    public void Records_past_the_publishers_expiry_or_the_maximum_age_are_dropped_when_they_come_up_and_counted()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        using (var queue = new OutboundQueue(_directory, 100, 1 << 20, maxAge: TimeSpan.FromHours(1), clock: clock))
        {
            queue.Enqueue("t", Bytes("short"), retain: true, expiryIntervalSeconds: 60);
            queue.Enqueue("t", Bytes("none"), retain: true);
            queue.Enqueue("t", Bytes("long"), retain: true, expiryIntervalSeconds: 7200);

            clock.Advance(TimeSpan.FromSeconds(61));
            Assert.Equal("none", Encoding.UTF8.GetString(queue.Peek()!.Payload));
            Assert.Equal(1, queue.Expired);
            Assert.Equal(2, queue.Count);

            // The maximum age caps even a longer publisher expiry.
            clock.Advance(TimeSpan.FromHours(1));
            Assert.Null(queue.Peek());
            Assert.Equal(3, queue.Expired);
            Assert.Equal(0, queue.Dropped);

            queue.Enqueue("t", Bytes("fresh"), retain: true);
        }

        using var reopened = new OutboundQueue(_directory, 100, 1 << 20, maxAge: TimeSpan.FromHours(1), clock: clock);
        Assert.Equal(3, reopened.Expired);
        Assert.Equal("fresh", Drain(reopened));
    }

    [Fact]
    public void Expired_records_anywhere_in_the_queue_are_dropped_at_start_up_once()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        using (var queue = new OutboundQueue(_directory, 100, 1 << 20, clock: clock))
        {
            queue.Enqueue("t", Bytes("long"), retain: false, expiryIntervalSeconds: 3600);
            queue.Enqueue("t", Bytes("SHORT-LIVED"), retain: false, expiryIntervalSeconds: 10);
            queue.Enqueue("t", Bytes("none"), retain: false);
        }

        clock.Advance(TimeSpan.FromSeconds(11));
        var warnings = new List<string>();
        using (var reopened = new OutboundQueue(_directory, 100, 1 << 20, warnings.Add, clock: clock))
        {
            Assert.Equal(1, reopened.Expired);
            Assert.Equal(2, reopened.Count);
            string warning = Assert.Single(warnings);
            Assert.DoesNotContain("SHORT-LIVED", warning);
        }

        Assert.DoesNotContain("SHORT-LIVED", Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(_directory, OutboundQueue.LogFileName))));

        // The record is gone from the log, so it is not counted again.
        using var again = new OutboundQueue(_directory, 100, 1 << 20, clock: clock);
        Assert.Equal(1, again.Expired);
        Assert.Equal("long,none", Drain(again));
        again.Enqueue("t", Bytes("next"), retain: false);
        Assert.Equal("next", Drain(again));
    }

    [Fact]
    public void The_publishers_expiry_is_forwarded_minus_the_time_queued()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        using var queue = new OutboundQueue(_directory, 100, 1 << 20, clock: clock);
        queue.Enqueue("t", Bytes("a"), retain: true, expiryIntervalSeconds: 100);
        queue.Enqueue("t", Bytes("b"), retain: true);
        clock.Advance(TimeSpan.FromSeconds(30.5));

        QueuedMessage first = queue.Peek()!;
        Assert.Equal(70u, first.RemainingExpirySeconds(clock.GetUtcNow()));
        queue.Acknowledge(first.Sequence);
        Assert.Null(queue.Peek()!.RemainingExpirySeconds(clock.GetUtcNow()));
    }
}
