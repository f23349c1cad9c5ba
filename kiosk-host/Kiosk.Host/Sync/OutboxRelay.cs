using Kiosk.Host.Store;

namespace Kiosk.Host.Sync;

/// <summary>Relay state for the maintenance console (no personal data).</summary>
/// <param name="LastErrorKind">The kind of <paramref name="LastError"/>: see <see cref="DeliveryResult.ErrorKind"/>.</param>
public sealed record RelayStatus(string Portal, DateTimeOffset? LastSuccessAt, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? PausedUntil = null, int ConsecutiveFailures = 0, string? LastErrorKind = null);

/// <summary>
/// Delivers pending outbox entries to the portal. At-least-once: the portal de-duplicates by the idempotency key (the
/// dossier id), so a retry after a lost answer files the dossier once. Each pass claims due entries with a lease
/// (owner + expiry, one transaction), so two relay loops never send the same entry at once and a crashed relay's claim
/// lapses. Transient failures (network, 408, 409, 429, 5xx) back off exponentially with jitter and honour
/// <c>Retry-After</c>; they also pause the whole relay, and that pause grows with the number of consecutive failed passes
/// (exponential with jitter, capped like the per-entry backoff, reset by the first answer), so a long outage is probed
/// ever less often whichever entry each pass happens to try. Other 4xx answers move
/// the entry to the dead letters. <see cref="Wake"/> runs a pass now; <see cref="SyncNowAsync"/> also ends a pause.
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    private readonly KioskStore _store;
    private readonly PortalClient _portal;
    private readonly TimeProvider _clock;
    private readonly ILogger<OutboxRelay> _log;
    private readonly SyncOptions _options;
    private readonly FaceAttachments _faces;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Random _random;
    private readonly Lock _gate = new();
    private RelayStatus _status = new("unknown", null, null, null);

    public OutboxRelay(KioskStore store, PortalClient portal, TimeProvider clock, ILogger<OutboxRelay> log, SyncOptions? options = null, Random? random = null,
        FaceAttachments? faces = null)
    {
        _faces = faces ?? new FaceAttachments(clock);
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

    /// <summary>Entries claimed per pass (their deliveries are committed in one transaction).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Requests in flight at once (one kept-alive connection each).</summary>
    public int Concurrency { get; init; } = PortalTls.MaxConnections;

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

    /// <summary>
    /// One turn of the background loop: nothing while paused (by the injected clock), else a pass, and a probe of the
    /// portal when there was nothing to send. Returns how many were delivered. Tests drive it with a manual clock.
    /// </summary>
    public async Task<int> TickAsync(CancellationToken ct)
    {
        if (Status.PausedUntil is { } p && p > _clock.GetUtcNow()) return 0;
        var sent = await RunOnceAsync(ct);
        if (sent == 0 && !_store.HasPending())
        {
            var reachable = await _portal.ProbeAsync(ct);
            lock (_gate) _status = reachable
                ? _status with { Portal = "reachable", ConsecutiveFailures = 0 }
                : _status with { Portal = "unreachable" };
        }
        return sent;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_store.IsClosed) break;
                await TickAsync(stoppingToken);
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

    /// <summary>
    /// One pass: claims up to <see cref="BatchSize"/> due entries with a lease (one transaction), sends them with at
    /// most <see cref="Concurrency"/> requests in flight over kept-alive connections, then commits every delivery of the
    /// pass in one transaction. When the portal was not known to be reachable, the first entry goes alone (a portal
    /// that is down sees one try per pause). A transient failure stops new sends: the unsent entries are given back
    /// untouched and the relay pauses (see <see cref="PassPause"/>). Returns how many were delivered. Does not look at
    /// the pause itself (<see cref="TickAsync"/> does).
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct);
        try
        {
            var claimed = _store.ClaimDue(Owner, _clock.GetUtcNow().UtcDateTime, _options.Lease, BatchSize);
            if (claimed.Count == 0) return 0;
            var results = new DeliveryResult?[claimed.Count];
            var faceAtCounter = new bool?[claimed.Count];
            var next = -1;
            var stop = 0;

            async Task Worker()
            {
                while (Volatile.Read(ref stop) == 0)
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= claimed.Count) return;
                    var (result, atCounter) = await SendAsync(claimed[i], ct);
                    (results[i], faceAtCounter[i]) = (result, atCounter);
                    if (result is DeliveryResult.Transient) Volatile.Write(ref stop, 1);
                }
            }

            OperationCanceledException? cancelled = null;
            try
            {
                if (Status.Portal != "reachable") await SendOne();
                var workers = Math.Min(Concurrency, claimed.Count);
                await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Worker()));
            }
            catch (OperationCanceledException e)
            {
                cancelled = e; // still commit what the portal already answered, and give the rest back
            }

            var delivered = Commit(claimed, results, faceAtCounter);
            if (cancelled is not null) throw cancelled;
            return delivered;

            async Task SendOne()
            {
                var i = Interlocked.Increment(ref next);
                var (result, atCounter) = await SendAsync(claimed[i], ct);
                (results[i], faceAtCounter[i]) = (result, atCounter);
                if (result is DeliveryResult.Transient) Volatile.Write(ref stop, 1);
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>
    /// Sends one entry. A dossier that expects the chip's face image gets it from memory (<see cref="FaceAttachments"/>),
    /// or, when it is gone (restart, expiry), the mark that staff take it at the counter; the body bytes are zeroed after
    /// the send. Returns the result and, for such a dossier, whether it went without the image.
    /// </summary>
    private async Task<(DeliveryResult Result, bool? FaceImageAtCounter)> SendAsync(OutboxEntry entry, CancellationToken ct)
    {
        var key = entry.DossierId.ToString("D");
        if (!entry.ExpectsFaceImage) return (await _portal.SubmitAsync(key, entry.Body, ct), null);
        var (body, atCounter) = _faces.Use(entry.DossierId, face => (FaceImageBody.Compose(entry.Body, face), face is null));
        try
        {
            return (await _portal.SubmitAsync(key, body, ct), atCounter);
        }
        finally
        {
            Array.Clear(body);
        }
    }

    /// <summary>Stores the outcome of one pass: deliveries in one transaction, then failures, dead letters, releases.</summary>
    private int Commit(IReadOnlyList<OutboxEntry> claimed, DeliveryResult?[] results, bool?[] faceAtCounter)
    {
        var now = _clock.GetUtcNow();
        var deliveries = new List<Delivery>();
        var unsent = new List<Guid>();
        TimeSpan? pause = null;
        string? transientReason = null;
        string? transientKind = null;
        for (var i = 0; i < claimed.Count; i++)
        {
            var entry = claimed[i];
            switch (results[i])
            {
                case DeliveryResult.Delivered d:
                    // The portal's word on the face image wins: a replay after a restart went without the image, but the
                    // first submission may have carried it.
                    var atCounter = faceAtCounter[i] is null ? (bool?)null
                        : d.Answer.FaceImage switch { "received" => false, "missing" => true, _ => faceAtCounter[i] };
                    deliveries.Add(new Delivery(entry.Id, entry.DossierId, d.Answer.Code, d.Answer.Status, atCounter));
                    _log.LogDebug("Delivered dossier {Ref} as {Code}{Replay}", Short(entry.DossierId), d.Answer.Code, d.Replayed ? " (replayed)" : "");
                    break;
                case DeliveryResult.Transient t:
                    var delay = RetryDelay(entry.Attempts, t.RetryAfter);
                    _store.RecordFailure(entry.Id, t.Reason, (now + delay).UtcDateTime);
                    if (pause is null || delay > pause) pause = delay;
                    transientReason = t.Reason;
                    transientKind = t.ErrorKind;
                    break;
                case DeliveryResult.Rejected r:
                    _store.DeadLetter(entry.Id, entry.DossierId, r.Reason, now.UtcDateTime);
                    _faces.Remove(entry.DossierId);
                    _log.LogError("The portal refused dossier {Ref} ({Reason}); moved to the dead letters", Short(entry.DossierId), r.Reason);
                    lock (_gate) _status = _status with { Portal = "reachable", LastError = r.Reason, LastErrorAt = now, LastErrorKind = r.ErrorKind };
                    break;
                default:
                    unsent.Add(entry.Id);
                    break;
            }
        }
        // The deliveries of the pass in one transaction. Killed before this line, the entries stay in the outbox and
        // are sent again with the same idempotency key: the portal replays its first answer.
        var recovered = false;
        if (deliveries.Count > 0)
        {
            _store.MarkDelivered(deliveries, now.UtcDateTime);
            // Delivered: the face images have done their job (zeroed now, not at their expiry).
            foreach (var d in deliveries) if (d.FaceImageAtCounter is not null) _faces.Remove(d.DossierId);
            lock (_gate)
            {
                recovered = _status.ConsecutiveFailures > 0 && pause is null;
                _status = _status with { Portal = "reachable", LastSuccessAt = now, PausedUntil = null, ConsecutiveFailures = 0 };
            }
            _log.LogInformation("Delivered {Count} dossiers ({First}…)", deliveries.Count, deliveries[0].Code);
        }
        if (unsent.Count > 0)
        {
            try { _store.Release(unsent, Owner); }
            catch (ObjectDisposedException) { }
        }
        if (pause is { } entryDelay)
        {
            // The portal is in trouble: the rest went back untouched; wait instead of hammering it, longer after each
            // failed pass in a row (whichever entry this pass tried), at least as long as any Retry-After.
            int failures;
            TimeSpan p;
            lock (_gate)
            {
                failures = _status.ConsecutiveFailures + 1;
                p = PassPause(failures, entryDelay);
                _status = _status with
                {
                    Portal = "unreachable", LastError = transientReason, LastErrorAt = now, LastErrorKind = transientKind,
                    PausedUntil = now + p, ConsecutiveFailures = failures,
                };
            }
            _log.LogWarning("Delivery failed ({Reason}, {Failures} failed passes in a row); pausing {Seconds:0.0} s", transientReason, failures, p.TotalSeconds);
        }
        else if (recovered)
        {
            // The first answer after an outage: what the outage pushed back is due now, not at its own backoff time.
            var due = _store.MakeAllDue(now.UtcDateTime);
            _log.LogInformation("The portal answers again; {Count} waiting entries made due", due);
            Wake();
        }
        foreach (var d in deliveries) Delivered?.Invoke(d.DossierId);
        return deliveries.Count;
    }

    /// <summary>
    /// The relay's pause after its <paramref name="consecutiveFailures"/>-th failed pass in a row: exponential backoff
    /// with jitter on that count (capped like the per-entry backoff, <see cref="Backoff.Cap"/>), and never shorter than
    /// the failed entry's own delay (which already includes the portal's Retry-After).
    /// </summary>
    public TimeSpan PassPause(int consecutiveFailures, TimeSpan entryDelay)
    {
        var relay = Backoff.Delay(Math.Max(0, consecutiveFailures - 1), _random);
        return relay > entryDelay ? relay : entryDelay;
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

    private static string Short(Guid id) => id.ToString("N")[..8];
}
