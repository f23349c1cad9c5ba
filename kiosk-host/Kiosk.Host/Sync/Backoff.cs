namespace Kiosk.Host.Sync;

/// <summary>Exponential backoff with full jitter: attempt n waits a random time in [base·2ⁿ/2, base·2ⁿ], capped.</summary>
public static class Backoff
{
    public static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);

    public static TimeSpan Delay(int attempt, Random random, TimeSpan? baseDelay = null, TimeSpan? cap = null)
    {
        var b = (baseDelay ?? Base).TotalMilliseconds;
        var c = (cap ?? Cap).TotalMilliseconds;
        var ceiling = Math.Min(c, b * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }
}
