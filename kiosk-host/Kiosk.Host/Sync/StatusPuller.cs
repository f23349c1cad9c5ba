using Kiosk.Host.Store;

namespace Kiosk.Host.Sync;

/// <summary>
/// Status pull-back: every <see cref="SyncOptions.StatusPollInterval"/> asks the portal for the status of delivered
/// dossiers whose status is not final (final: 3, 7, 8, 9, 10) and stores it.
/// </summary>
public sealed class StatusPuller(KioskStore store, PortalClient portal, TimeProvider clock, SyncOptions options, ILogger<StatusPuller> log) : BackgroundService
{
    public int BatchSize { get; init; } = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await Task.Delay(options.StatusPollInterval, clock, stoppingToken); }
            catch (OperationCanceledException) { break; }
            try
            {
                if (store.IsClosed) break;
                await PullOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (ObjectDisposedException) { break; }
            catch (Exception e) { log.LogError("Status pull failed ({Error})", e.GetType().Name); }
        }
    }

    /// <summary>One round. Returns how many statuses changed; stops at the first dossier the portal cannot answer.</summary>
    public async Task<int> PullOnceAsync(CancellationToken ct)
    {
        var changed = 0;
        foreach (var d in store.DossiersAwaitingStatus(BatchSize))
        {
            if (await RefreshAsync(d, ct) is not { } status) break;
            if (status != d.PortalStatus) changed++;
        }
        return changed;
    }

    /// <summary>Asks the portal for one dossier's status and stores it; null when the portal did not answer.</summary>
    public async Task<int?> RefreshAsync(Dossier d, CancellationToken ct)
    {
        if (d.PortalCode is null) return null;
        var status = await portal.GetStatusAsync(d.PortalCode, ct);
        if (status is not { } s) return null;
        store.RecordStatus(d.Id, s, clock.GetUtcNow().UtcDateTime);
        if (s != d.PortalStatus) log.LogInformation("Dossier {Code} is now at status {Status}", d.PortalCode, s);
        return s;
    }
}

/// <summary>
/// Retention: every <see cref="SyncOptions.RetentionCheckInterval"/> (and at start) erases the personal data of
/// dossiers the portal confirmed more than <see cref="SyncOptions.Retention"/> ago, then, when it erased any, compacts the
/// store (<see cref="KioskStore.Compact()"/>) so the erased data does not linger in freed pages.
/// </summary>
public sealed class RetentionService(KioskStore store, TimeProvider clock, SyncOptions options, ILogger<RetentionService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (store.IsClosed) break;
                RunOnce();
            }
            catch (ObjectDisposedException) { break; }
            catch (Exception e) { log.LogError("Retention pass failed ({Error})", e.GetType().Name); }
            try { await Task.Delay(options.RetentionCheckInterval, clock, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>One pass. Returns how many dossiers lost their personal data.</summary>
    public int RunOnce()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var n = store.ErasePersonalData(now - options.Retention, now);
        if (n == 0) return 0;
        // The erased data stays in the file's freed pages until the file is rebuilt: rebuild it now.
        var (before, after) = store.Compact();
        log.LogInformation("Retention: erased the personal data of {Count} delivered dossiers; store compacted from {Before} to {After} bytes", n, before, after);
        return n;
    }
}
