namespace EdgeBroker.Tests;

/// <summary>A clock that moves only when told to, for ageing queued messages without waiting.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}
