using Kiosk.Host.Store;

namespace Kiosk.Host.Sync;

/// <summary>Relay state for the maintenance console (no personal data).</summary>
public sealed record RelayStatus(string Portal, DateTimeOffset? LastSuccessAt, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? PausedUntil = null);

/// <summary>
/// Delivers pending outbox entries to the portal. At-least-once: the portal de-duplicates by the idempotency key (the
/// dossier id), so a retry after a lost answer files the dossier once. Each pass claims due entries with a lease
/// (owner + expiry, one transaction), so two relay loops never send the same entry at once and a crashed relay's claim
/// lapses. Transient failures (network, 408, 409, 429, 5xx) back off exponentially with jitter and honour
/// <c>Retry-After</c>; they also pause the whole pass so a portal that is down is not hammered. Other 4xx answers move
/// the entry to the dead letters. <see cref="Wake"/> runs a pass now; <see cref="SyncNowAsync"/> also ends a pause.
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    private readonly KioskStore _store;
    private readonly PortalClient _portal;
    private readonly TimeProvider _clock;
    private readonly ILogger<OutboxRelay> _log;
    private readonly SyncOptions _options;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Random _random;
    private readonly Lock _gate = new();
    private RelayStatus _status = new("unknown", null, null, null);

    public OutboxRelay(KioskStore store, PortalClient portal, TimeProvider clock, ILogger<OutboxRelay> log, SyncOptions? options = null, Random? random = null)
    {
        _store = store;
        _portal = portal;
        _clock = clock;
        _log = log;
        _options = options ?? new SyncOptions();
        _random = random ?? new Random();
    }

    /// <summary>This relay's lease owner name: host, process id and a random suffix (one per relay instance).</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Raised after an entry is delivered (argument: the dossier id).</summary>
    public event Action<Guid>? Delivered;

    public RelayStatus Status { get { lock (_gate) return _status; } }

    /// <summary>Idle pass interval: also probes the portal when there is nothing to send.</summary>
    public TimeSpan IdleInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Entries claimed per pass.</summary>
    public int BatchSize { get; init; } = 20;

    public void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { /* already awake */ }
    }

    /// <summary>Technician's "sync now": ends a pause, makes every waiting entry due and wakes the loop.</summary>
    public int SyncNow()
    {
        lock (_gate) _status = _status with { PausedUntil = null };
        var n = _store.MakeAllDue(_clock.GetUtcNow().UtcDateTime);
        Wake();
        return n;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_store.IsClosed) break;
                var paused = Status.PausedUntil is { } p && p > _clock.GetUtcNow();
                var sent = paused ? 0 : await RunOnceAsync(stoppingToken);
                if (!paused && sent == 0 && _store.AllOutbox().Count == 0)
                    SetPortal(await _portal.ProbeAsync(stoppingToken) ? "reachable" : "unreachable");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break; // the store was wiped (decommission) or closed
            }
            catch (Exception e)
            {
                _log.LogError("Outbox pass failed ({Error})", e.GetType().Name);
            }

            TimeSpan wait;
            try { wait = NextWait(); }
            catch (ObjectDisposedException) { break; }
            try { await _wake.WaitAsync(wait, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    private TimeSpan NextWait()
    {
        var now = _clock.GetUtcNow();
        var next = _store.NextAttemptAt();
        var wait = next is { } n ? TimeSpan.FromTicks(Math.Max(0, (n - now.UtcDateTime).Ticks)) : IdleInterval;
        if (Status.PausedUntil is { } p && p - now > wait) wait = p - now;
        if (wait > IdleInterval) wait = IdleInterval;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>One pass over the due entries (claimed with a lease). Returns how many were delivered.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct);
        try
        {
            var delivered = 0;
            var claimed = _store.ClaimDue(Owner, _clock.GetUtcNow().UtcDateTime, _options.Lease, BatchSize);
            for (var i = 0; i < claimed.Count; i++)
            {
                var entry = claimed[i];
                DeliveryResult result;
                try
                {
                    result = await _portal.SubmitAsync(entry.DossierId.ToString("D"), entry.Body, ct);
                }
                catch (OperationCanceledException)
                {
                    ReleaseRest(claimed, i);
                    throw;
                }
                var now = _clock.GetUtcNow();
                switch (result)
                {
                    case DeliveryResult.Delivered d:
                        _store.MarkDelivered(entry.Id, entry.DossierId, d.Answer.Code, d.Answer.Status, now.UtcDateTime);
                        _log.LogInformation("Delivered dossier {Ref} as {Code}{Replay}", Short(entry.DossierId), d.Answer.Code, d.Replayed ? " (replayed)" : "");
                        lock (_gate) _status = _status with { Portal = "reachable", LastSuccessAt = now, PausedUntil = null };
                        delivered++;
                        Delivered?.Invoke(entry.DossierId);
                        break;
                    case DeliveryResult.Transient t:
                        var delay = RetryDelay(entry.Attempts, t.RetryAfter);
                        _store.RecordFailure(entry.Id, t.Reason, (now + delay).UtcDateTime);
                        _log.LogWarning("Delivery of dossier {Ref} failed ({Reason}); pausing {Seconds:0.0} s", Short(entry.DossierId), t.Reason, delay.TotalSeconds);
                        lock (_gate) _status = _status with { Portal = "unreachable", LastError = t.Reason, LastErrorAt = now, PausedUntil = now + delay };
                        // The portal is in trouble: give the rest back untouched and wait, instead of hammering it.
                        ReleaseRest(claimed, i + 1);
                        return delivered;
                    case DeliveryResult.Rejected r:
                        _store.DeadLetter(entry.Id, entry.DossierId, r.Reason, now.UtcDateTime);
                        _log.LogError("The portal refused dossier {Ref} ({Reason}); moved to the dead letters", Short(entry.DossierId), r.Reason);
                        lock (_gate) _status = _status with { Portal = "reachable", LastError = r.Reason, LastErrorAt = now };
                        break;
                }
            }
            return delivered;
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>Backoff with jitter for this attempt, at least the portal's Retry-After (capped).</summary>
    public TimeSpan RetryDelay(int attempts, TimeSpan? retryAfter)
    {
        var delay = Backoff.Delay(attempts, _random);
        if (retryAfter is { } ra)
        {
            if (ra > _options.MaxRetryAfter) ra = _options.MaxRetryAfter;
            if (ra > delay) delay = ra;
        }
        return delay;
    }

    private void ReleaseRest(IReadOnlyList<OutboxEntry> claimed, int from)
    {
        for (var j = from; j < claimed.Count; j++)
        {
            try { _store.Release(claimed[j].Id, Owner); }
            catch (ObjectDisposedException) { return; }
        }
    }

    private void SetPortal(string state)
    {
        lock (_gate) _status = _status with { Portal = state };
    }

    private static string Short(Guid id) => id.ToString("N")[..8];
}
