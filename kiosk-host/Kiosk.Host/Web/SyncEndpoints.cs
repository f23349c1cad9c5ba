using System.Net;
using Kiosk.Host.Filing;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;

namespace Kiosk.Host.Web;

public sealed record DecommissionRequest(string? Confirm, bool Force);

/// <summary><c>POST /api/maintenance/sync/requeue</c>: the dead letters with this reason, or all of them; a dry run changes nothing.</summary>
public sealed record RequeueRequest(string? Reason, bool All, bool DryRun);

/// <summary>
/// Dossier lookup (<c>GET /api/dossiers/{codeOrReference}</c>, no personal data) and the technicians' maintenance API
/// under <c>/api/maintenance</c>, which answers loopback callers only (127.0.0.1 / ::1; anything else gets 403).
/// </summary>
public static class SyncEndpoints
{
    public const string DecommissionConfirmation = "wipe-this-kiosk";

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/dossiers/{codeOrReference}", async (string codeOrReference, KioskStore store, StatusPuller puller, HttpContext http) =>
        {
            var d = store.FindByCodeOrReference(codeOrReference);
            if (d is null) return Results.Json(new { error = "not-found", message = "No dossier with this code or reference at this kiosk." }, statusCode: 404);
            if (d.State == DossierState.Delivered && !DossierStatuses.IsFinal(d.PortalStatus))
            {
                // Ask the portal now (briefly); the stored status stands when it cannot answer.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                try { await puller.RefreshAsync(d, timeout.Token); } catch (OperationCanceledException) { }
                d = store.FindDossier(d.Id) ?? d;
            }
            return Results.Json(Lookup(d));
        });

        var maintenance = app.MapGroup("/api/maintenance");
        maintenance.AddEndpointFilter(async (context, next) =>
            IsLoopback(context.HttpContext)
                ? await next(context)
                : Results.Json(new { error = "loopback-only", message = "The maintenance API answers on the kiosk itself only." }, statusCode: 403));

        maintenance.MapGet("/sync", (KioskStore store, OutboxRelay relay, FaceAttachments faces, TimeProvider clock) => Results.Json(SyncStatus(store, relay, clock, faces)));
        maintenance.MapPost("/sync/now", (OutboxRelay relay) => Results.Json(new { woken = true, madeDue = relay.SyncNow() }, statusCode: 202));
        maintenance.MapPost("/sync/requeue", (RequeueRequest? body, KioskStore store, OutboxRelay relay, HostOptions options, TimeProvider clock, ILoggerFactory loggers) =>
        {
            if (body is null || body.All != string.IsNullOrEmpty(body.Reason))
                return Results.Json(new { error = "bad-request", message = "Send {\"reason\":\"HTTP 403 kiosk-id-mismatch\"} or {\"all\":true}, not both." }, statusCode: 400);
            var matched = store.RequeueDeadLetters(body.All ? null : body.Reason, clock.GetUtcNow().UtcDateTime, body.DryRun);
            // The body is sent again byte for byte (same idempotency key): one that names another kiosk than this one is
            // refused again by a portal that checks the certificate's kiosk. Counted so the technician knows.
            var otherKioskId = matched.Count(e => BodyKioskId(e.Body) != options.EffectiveKioskId);
            if (!body.DryRun && matched.Count > 0)
            {
                loggers.CreateLogger("Maintenance").LogWarning("{Count} dead letters requeued ({Reason})", matched.Count, body.All ? "all" : body.Reason);
                relay.Wake();
            }
            var left = store.Summary(clock.GetUtcNow().UtcDateTime).DeadLetter;
            return Results.Json(new
            {
                dryRun = body.DryRun,
                matched = matched.Count,
                requeued = body.DryRun ? 0 : matched.Count,
                otherKioskId,
                kioskId = options.EffectiveKioskId,
                deadLetterLeft = left,
                deadLetterReasons = left > 0 ? store.DeadLetterReasons() : new Dictionary<string, int>(),
            });
        });
        // Cards refused for self-service filing and cards filed untrusted since the start, and the CSCA trust store's state.
        maintenance.MapGet("/card-trust", (Card.CardTrustMonitor trust) => Results.Json(trust.Status()));
        maintenance.MapGet("/dossiers", (KioskStore store) =>
        {
            var outbox = store.AllOutbox().Concat(store.DeadLetters()).ToDictionary(o => o.DossierId);
            return Results.Json(store.AllDossiers().Select(d => ListItem(d, outbox.GetValueOrDefault(d.Id))));
        });
        maintenance.MapPost("/store/rotate-key", (KioskStore store, ILoggerFactory loggers) =>
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var (dossiers, outbox) = store.RotateKey();
            loggers.CreateLogger("Maintenance").LogWarning("Store key rotated: {Dossiers} dossiers and {Outbox} outbox entries re-encrypted", dossiers, outbox);
            return Results.Json(new { rotated = true, dossiers, outbox, seconds = Math.Round(started.Elapsed.TotalSeconds, 2) });
        });
        maintenance.MapPost("/decommission", (DecommissionRequest? body, KioskStore store, IHostApplicationLifetime lifetime, ILoggerFactory loggers) =>
        {
            if (body?.Confirm != DecommissionConfirmation)
                return Results.Json(new { error = "not-confirmed", message = $"Send {{\"confirm\":\"{DecommissionConfirmation}\"}}." }, statusCode: 400);
            var summary = store.Summary(DateTime.UtcNow);
            if ((summary.Pending > 0 || summary.DeadLetter > 0) && !body.Force)
                return Results.Json(new
                {
                    error = "undelivered",
                    message = "Dossiers are not delivered yet; wiping would lose them. Deliver them first or force.",
                    pending = summary.Pending,
                    deadLetter = summary.DeadLetter,
                }, statusCode: 409);
            var files = store.Wipe();
            loggers.CreateLogger("Maintenance").LogWarning("Decommissioned: the store was wiped ({Count} files); stopping", files.Count);
            _ = Task.Run(async () => { await Task.Delay(300); lifetime.StopApplication(); });
            return Results.Json(new { wiped = files, lostPending = summary.Pending, lostDeadLetter = summary.DeadLetter });
        });
    }

    /// <summary>The <c>kioskId</c> a stored portal body names (null when it names none or is not JSON).</summary>
    private static string? BodyKioskId(string body)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("kioskId", out var k) && k.ValueKind == System.Text.Json.JsonValueKind.String
                ? k.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static bool IsLoopback(HttpContext http) => http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);

    /// <summary>
    /// The outbox and the relay for technicians (no personal data): counts, the portal's reachability, the last success
    /// and error (its text and kind, <see cref="DeliveryResult.ErrorKind"/>), failed passes in a row, when the next
    /// attempt is due (the later of the relay's pause and the earliest due entry; null when nothing waits), the dead
    /// letters by reason, and how many face images wait in memory for their delivery.
    /// </summary>
    public static object SyncStatus(KioskStore store, OutboxRelay relay, TimeProvider clock, FaceAttachments? faces = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var s = store.Summary(now);
        var r = relay.Status;
        DateTimeOffset? nextAttemptAt = null;
        if (s.Pending > 0 && store.NextAttemptAt() is { } due)
        {
            var dueUtc = new DateTimeOffset(DateTime.SpecifyKind(due.ToUniversalTime(), DateTimeKind.Utc));
            nextAttemptAt = r.PausedUntil is { } paused && paused > dueUtc ? paused : dueUtc;
        }
        return new
        {
            pending = s.Pending,
            leased = s.Leased,
            deadLetter = s.DeadLetter,
            oldestPendingSeconds = s.OldestPendingAt is { } o ? (long)Math.Max(0, (now - o).TotalSeconds) : 0,
            portal = r.Portal,
            lastSuccessAt = r.LastSuccessAt,
            lastError = r.LastError,
            lastErrorAt = r.LastErrorAt,
            lastErrorKind = r.LastErrorKind,
            pausedUntil = r.PausedUntil,
            consecutiveFailures = r.ConsecutiveFailures,
            nextAttemptAt,
            deadLetterReasons = s.DeadLetter > 0 ? store.DeadLetterReasons() : new Dictionary<string, int>(),
            faceImagesHeld = faces?.Count ?? 0,
        };
    }

    public static string StateName(DossierState state) => state switch
    {
        DossierState.Delivered => "delivered",
        DossierState.DeadLetter => "dead-letter",
        _ => "saved",
    };

    private static string Reference(Guid id) => id.ToString("N")[..8].ToUpperInvariant();

    /// <summary>The lookup screen's view: code, status and plain words. No personal data.</summary>
    public static object Lookup(Dossier d)
    {
        var words = DossierStatuses.Find(d.PortalStatus);
        string fallbackKey = d.State == DossierState.Delivered ? "dossierStatus.unknown" : "lookup.atKiosk";
        return new
        {
            localReference = Reference(d.Id),
            procedure = d.Procedure,
            createdAt = d.CreatedAt,
            state = StateName(d.State),
            dossierCode = d.PortalCode,
            portalStatus = d.PortalStatus,
            statusVi = words?.Vi ?? Messages.Text("vi", fallbackKey),
            statusEn = words?.En ?? Messages.Text("en", fallbackKey),
            final = words?.Final ?? false,
            statusCheckedAt = d.StatusCheckedAt,
        };
    }

    /// <summary>One row of <c>kioskctl dossier list</c>. No personal data (the id is random; errors are HTTP codes).</summary>
    public static object ListItem(Dossier d, OutboxEntry? entry) => new
    {
        localReference = Reference(d.Id),
        idempotencyKey = d.Id.ToString("D"),
        procedure = d.Procedure,
        createdAt = d.CreatedAt,
        state = StateName(d.State),
        portalCode = d.PortalCode,
        portalStatus = d.PortalStatus,
        deliveredAt = d.DeliveredAt,
        personalDataErased = d.PersonalDataErasedAt is not null,
        attempts = entry?.Attempts ?? 0,
        lastError = entry?.LastError ?? d.DeadLetterReason,
        // VNeID level 1: "sent" with the delivery, "at-counter" (staff take it), "waiting" (not delivered yet); else null.
        faceImage = d.FaceImageAtCounter switch { true => "at-counter", false => "sent", null => entry?.ExpectsFaceImage == true ? "waiting" : null },
        // The card's trust outcome when it was filed (verified, or untrusted: marked for staff verification); null before issue 9.
        cardTrust = d.Verification?.Trust,
        staffVerification = d.Verification?.StaffVerification ?? false,
    };
}
