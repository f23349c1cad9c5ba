using Kiosk.Host.Store;

namespace Kiosk.Host.Sync;

/// <summary>Relay state for the maintenance console (no personal data).</summary>
public sealed record RelayStatus(string Portal, DateTimeOffset? LastSuccessAt, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>
/// Delivers pending outbox entries to the portal. At-least-once: the portal de-duplicates by the idempotency key (the
/// dossier id), so running twice or retrying after a lost answer files the dossier once. Failures back off
/// exponentially with jitter (cap 60 s). <see cref="Wake"/> runs a pass now.
/// </summary>
public sealed class OutboxRelay(KioskStore store, PortalClient portal, TimeProvider clock, ILogger<OutboxRelay> log) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Random _random = new();
    private readonly Lock _gate = new();
    private RelayStatus _status = new("unknown", null, null, null);

    /// <summary>Raised after an entry is delivered (argument: the dossier id).</summary>
    public event Action<Guid>? Delivered;

    public RelayStatus Status { get { lock (_gate) return _status; } }

    /// <summary>Idle pass interval: also probes the portal when there is nothing to send.</summary>
    public TimeSpan IdleInterval { get; init; } = TimeSpan.FromSeconds(15);

    public void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { /* already awake */ }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await RunOnceAsync(stoppingToken);
                if (sent == 0 && store.AllOutbox().Count == 0)
                    SetPortal(await portal.ProbeAsync(stoppingToken) ? "reachable" : "unreachable", null);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogError("Outbox pass failed ({Error})", e.GetType().Name);
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var next = store.NextAttemptAt();
            var wait = next is { } n ? TimeSpan.FromTicks(Math.Max(0, (n - now).Ticks)) : IdleInterval;
            if (wait > IdleInterval) wait = IdleInterval;
            try { await _wake.WaitAsync(wait, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>One pass over the due entries. Returns how many were delivered.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct);
        try
        {
            var delivered = 0;
            foreach (var entry in store.DueOutbox(clock.GetUtcNow().UtcDateTime))
            {
                var result = await portal.SubmitAsync(entry.DossierId.ToString("D"), entry.Body, ct);
                var now = clock.GetUtcNow();
                switch (result)
                {
                    case DeliveryResult.Delivered d:
                        store.MarkDelivered(entry.Id, entry.DossierId, d.Answer.Code, d.Answer.Status, now.UtcDateTime);
                        log.LogInformation("Delivered dossier {Ref} as {Code}{Replay}", Short(entry.DossierId), d.Answer.Code, d.Replayed ? " (replayed)" : "");
                        lock (_gate) _status = _status with { Portal = "reachable", LastSuccessAt = now };
                        delivered++;
                        Delivered?.Invoke(entry.DossierId);
                        break;
                    case DeliveryResult.Transient t:
                        Fail(entry, t.Reason, now, "unreachable");
                        break;
                    case DeliveryResult.Rejected r:
                        // Kept in the outbox with a long wait so a technician sees it; a later issue adds a dead-letter state.
                        Fail(entry, r.Reason, now, "reachable", rejected: true);
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

    private void Fail(OutboxEntry entry, string reason, DateTimeOffset now, string portalState, bool rejected = false)
    {
        var delay = rejected ? Backoff.Cap : Backoff.Delay(entry.Attempts, _random);
        store.RecordFailure(entry.Id, reason, (now + delay).UtcDateTime);
        log.LogWarning("Delivery of dossier {Ref} failed ({Reason}); retry in {Seconds:0.0} s", Short(entry.DossierId), reason, delay.TotalSeconds);
        lock (_gate) _status = _status with { Portal = portalState, LastError = reason, LastErrorAt = now };
    }

    private void SetPortal(string state, string? error)
    {
        lock (_gate) _status = _status with { Portal = state, LastError = error ?? _status.LastError };
    }

    private static string Short(Guid id) => id.ToString("N")[..8];
}
