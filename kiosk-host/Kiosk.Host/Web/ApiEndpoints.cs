using System.Reflection;
using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Filing;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;

namespace Kiosk.Host.Web;

public sealed record StartRequest(string? Language, string? Service = null);
public sealed record ConsentRequest(bool Accepted);

/// <summary>The host's JSON API: status, events, places and the resident session.</summary>
public static class ApiEndpoints
{
    public static readonly string Version =
        typeof(ApiEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0";

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/status", (HostOptions o, IFirmwareLink fw, KioskStore store, OutboxRelay relay, TimeProvider clock, CardTrustMonitor trust) =>
            Results.Json(BuildStatus(o, fw, store, relay, clock, trust)));

        app.MapGet("/api/events", async (HttpContext http, EventHub hub, IFirmwareLink fw) =>
        {
            http.Response.ContentType = "text/event-stream";
            var reader = hub.Subscribe(out var unsubscribe);
            try
            {
                var s = fw.Snapshot;
                await http.Response.WriteAsync($"event: hello\ndata: {{\"card\":{(s.CardPresent ? "true" : "false")}}}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                while (!http.RequestAborted.IsCancellationRequested)
                {
                    using var ping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                    ping.CancelAfter(TimeSpan.FromSeconds(20));
                    string frame;
                    try { frame = await reader.ReadAsync(ping.Token); }
                    catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested) { frame = ": keep-alive\n\n"; }
                    await http.Response.WriteAsync(frame, http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
            catch (OperationCanceledException) { }
            catch (System.Threading.Channels.ChannelClosedException) { }
            finally { unsubscribe(); }
        });


        var session = app.MapGroup("/api/session");
        session.MapGet("", (SessionManager m) => Results.Json(Describe(m.Current)));
        session.MapPost("/start", (StartRequest? body, SessionManager m) => Results.Json(Describe(m.Start(body?.Language, body?.Service))));
        session.MapPost("/consent", (ConsentRequest body, SessionManager m) =>
            Guard(() => Results.Json(Describe(m.Consent(body.Accepted)))));
        session.MapPost("/touch", (SessionManager m) => { m.Touch(); return Results.NoContent(); });
        session.MapPost("/submit", async (ResidenceNotificationForm form, SessionManager m, HttpContext http) =>
        {
            try
            {
                var (result, errors) = await m.SubmitAsync(form, http.RequestAborted);
                if (result is null)
                    return Results.Json(new
                    {
                        error = "invalid-form",
                        errors = errors.ToDictionary(e => e.Key, e => e.Value.Vi),
                        errorsEn = errors.ToDictionary(e => e.Key, e => e.Value.En),
                    }, statusCode: 400);
                return Results.Json(Describe(m.Current) with { Result = DescribeResult(result) });
            }
            catch (SessionConflictException e)
            {
                return Results.Json(new { error = "conflict", message = e.Message }, statusCode: 409);
            }
        });
        session.MapPost("/end", (SessionManager m) => { m.End("resident"); return Results.Json(Describe(null)); });
    }

    private static IResult Guard(Func<IResult> action)
    {
        try { return action(); }
        catch (SessionConflictException e) { return Results.Json(new { error = "conflict", message = e.Message }, statusCode: 409); }
    }

    public sealed record SessionView(
        bool Active, string Step, Guid? SessionId, string? Language, DateTime? ConsentGivenAt, string? ReadError,
        IdentityView? Identity, ResultView? Result, string DeadlineRuleVi, string DeadlineRuleEn,
        string? Service = null, bool? FingerprintAccepted = null, DateTime? FingerprintConsentGivenAt = null,
        IReadOnlyList<Places.WardSuggestion>? ResidenceSuggestions = null);

    /// <summary>
    /// What the form screen shows of the holder: name, ID number, date of birth, sex, place of residence, and the old ID
    /// number for the old-ID confirmation service only. The rest of the chip's record (DG13: parents, spouse, religion,
    /// ethnicity, place of origin, dates of issue and expiry) stays on the host and goes into the dossier only.
    /// </summary>
    public sealed record IdentityView(
        string FullName, string IdNumber, DateOnly? DateOfBirth, string? Sex, string? PlaceOfResidence, string? OldIdNumber);

    public sealed record ResultView(
        string LocalReference, string State, string? DossierCode, int? PortalStatus, DateTime? Deadline,
        string Print, string PrintMessageVi, string PrintMessageEn, string? Procedure = null, bool StaffVerification = false);

    /// <summary>
    /// The session view: only what the current screen shows. The identity only on the form itself (step <c>form</c>
    /// once the fingerprint consent was answered), never on the consent, card, refusal or receipt screens.
    /// </summary>
    public static SessionView Describe(ResidentSession? s)
    {
        if (s is null)
            return new SessionView(false, "idle", null, null, null, null, null, null, NotificationDeadline.RuleVi, NotificationDeadline.RuleEn);
        bool onForm = s.Step == SessionStep.Form && s.FingerprintAccepted is not null;
        var i = onForm ? s.Identity : null;
        return new SessionView(true, SessionManager.StepName(s.Step), s.Id, s.Language, s.Consent?.GivenAt, s.ReadError,
            i is null ? null : new IdentityView(i.FullName, i.IdNumber, i.DateOfBirth, i.Sex, i.PlaceOfResidence,
                s.Service == Services.OldIdConfirmation ? i.OldIdNumber : null),
            s.Result is null ? null : DescribeResult(s.Result),
            NotificationDeadline.RuleVi, NotificationDeadline.RuleEn,
            s.Service, s.FingerprintAccepted, s.FingerprintConsent?.GivenAt, onForm ? s.ResidenceSuggestions : []);
    }

    public static ResultView DescribeResult(FilingResult r)
    {
        var message = FilingService.Describe(r.Print);
        var print = r.Print switch
        {
            PrintOutcome.Printed => "printed",
            PrintOutcome.PaperOut => "paper-out",
            PrintOutcome.CoverOpen => "cover-open",
            PrintOutcome.PrinterError => "error",
            _ => "unavailable",
        };
        return new ResultView(r.LocalReference.ToString("N")[..8].ToUpperInvariant(), r.State, r.DossierCode, r.PortalStatus,
            r.Deadline, print, message.Vi, message.En, r.Procedure, r.StaffVerification);
    }

    public static object DescribeEvent(DeviceEvent ev) => ev switch
    {
        DeviceEvent.CardPlaced => new { present = true },
        DeviceEvent.CardRemoved => new { present = false },
        DeviceEvent.FingerPlaced => new { present = true },
        DeviceEvent.FingerRemoved => new { present = false },
        DeviceEvent.Printer p => new { paper = p.Value.Paper, cover = p.Value.Cover, online = p.Value.Online },
        DeviceEvent.Status st => new { online = st.Value.Online },
        DeviceEvent.Broker b => new { broker = b.Connected },
        _ => new { },
    };

    /// <summary>The <c>/api/status</c> document (no personal data).</summary>
    public static object BuildStatus(HostOptions o, IFirmwareLink fw, KioskStore store, OutboxRelay relay, TimeProvider clock,
        CardTrustMonitor? trust = null)
    {
        var s = fw.Snapshot;
        var online = s.BrokerConnected && s.Status is { Online: true };
        string Part(string? value) => !online ? "unknown" : value ?? "unknown";
        var printer = !online ? "unknown"
            : s.Printer is null ? Part(s.Status?.Printer)
            : !s.Printer.Online ? "offline"
            : s.Printer.Cover == "open" ? "cover-open"
            : s.Printer.Paper == "out" ? "paper-out"
            : s.Printer.Paper == "near-end" ? "near-end"
            : Part(s.Status?.Printer);
        var now = clock.GetUtcNow().UtcDateTime;
        var outbox = store.Summary(now); // index counts: cheap with 100,000 waiting
        var relayStatus = relay.Status;
        return new
        {
            kioskId = o.EffectiveKioskId,
            components = new
            {
                broker = s.BrokerConnected ? "connected" : "disconnected",
                firmware = !s.BrokerConnected ? "unknown" : s.Status is null ? "unknown" : s.Status.Online ? "online" : "offline",
                reader = Part(s.Status?.Reader),
                fingerprint = Part(s.Status?.Fingerprint),
                printer,
                portal = relayStatus.Portal,
            },
            queue = new
            {
                pending = outbox.Pending,
                oldestPendingSeconds = outbox.OldestPendingAt is { } oldest ? (long)Math.Max(0, (now - oldest).TotalSeconds) : 0,
            },
            sync = new { lastSuccessAt = relayStatus.LastSuccessAt, lastError = relayStatus.LastError, lastErrorAt = relayStatus.LastErrorAt },
            // The chip-trust counters and the CSCA trust store (not a component: a kiosk without it still files, marked).
            cardTrust = trust?.Status() is { } t
                ? new { trustStore = t.TrustStore, needsAttention = t.TrustStoreNeedsAttention, refusedCards = t.RefusedCards, untrustedCards = t.UntrustedCards }
                : null,
            firmwareVersion = s.Status?.Firmware,
            cardPresent = s.CardPresent,
            version = Version,
        };
    }
}
