using System.Globalization;

namespace Kiosk.Host.Sync;

/// <summary>
/// Store and sync settings from the command line: <c>--retention-days N</c> (default 7), <c>--lease-seconds N</c>
/// (default 60), <c>--status-poll-seconds N</c> (default 300), <c>--retention-check-minutes N</c> (default 60).
/// </summary>
public sealed class SyncOptions
{
    /// <summary>Personal data of a dossier the portal confirmed is erased this long after delivery.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);
    /// <summary>How long a relay's claim on an outbox entry lasts (longer than one HTTP attempt).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How often the status of delivered, non-final dossiers is asked for.</summary>
    public TimeSpan StatusPollInterval { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromHours(1);
    /// <summary>The longest Retry-After the relay honours (a broken portal must not park the outbox for days).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(1);

    public static SyncOptions From(IConfiguration config)
    {
        static double? Number(IConfiguration c, string key) =>
            double.TryParse(c[key], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : null;
        var defaults = new SyncOptions();
        return new SyncOptions
        {
            Retention = Number(config, "retention-days") is { } d ? TimeSpan.FromDays(d) : defaults.Retention,
            Lease = Number(config, "lease-seconds") is { } l && l > 0 ? TimeSpan.FromSeconds(l) : defaults.Lease,
            StatusPollInterval = Number(config, "status-poll-seconds") is { } p && p > 0 ? TimeSpan.FromSeconds(p) : defaults.StatusPollInterval,
            RetentionCheckInterval = Number(config, "retention-check-minutes") is { } r && r > 0 ? TimeSpan.FromMinutes(r) : defaults.RetentionCheckInterval,
        };
    }
}
