using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Store;
using Kiosk.Host.Web;

namespace Kiosk.Host.Filing;

public enum SessionStep { Consent, WaitingCard, Reading, Form, Submitting, Done }

/// <summary>One resident's session. Holds personal data in memory only; dropped when the session ends.</summary>
public sealed class ResidentSession
{
    public Guid Id { get; } = Guid.NewGuid();
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset LastActivity { get; set; }
    public string Language { get; set; } = "vi";
    public SessionStep Step { get; set; } = SessionStep.Consent;
    public ConsentRecord? Consent { get; set; }
    public CardIdentity? Identity { get; set; }
    public string? ReadError { get; set; }
    public FilingResult? Result { get; set; }
}

public sealed class SessionConflictException(string message) : Exception(message);

/// <summary>
/// One resident session at a time: start → consent → wait for the card (a "card placed" event starts the read) →
/// identity + form → submit → done. Card removed (after the read) or idle → the session ends.
/// </summary>
public sealed class SessionManager : IDisposable
{
    public const string ConsentPurposeVi = "Đọc dữ liệu chip trên thẻ căn cước để lập hồ sơ thông báo lưu trú này.";
    public const string ConsentPurposeEn = "Reading the ID card chip to prepare this residence notification.";

    private readonly IFirmwareLink _firmware;
    private readonly ICardChannel _card;
    private readonly FilingService _filing;
    private readonly Places _places;
    private readonly EventHub _events;
    private readonly TimeProvider _clock;
    private readonly ILogger<SessionManager> _log;
    private readonly TimeSpan _idle;
    private readonly ITimer _idleTimer;
    private readonly Lock _gate = new();
    private ResidentSession? _session;

    public SessionManager(IFirmwareLink firmware, ICardChannel card, FilingService filing, Places places, EventHub events,
        HostOptions options, TimeProvider clock, ILogger<SessionManager> log)
    {
        _firmware = firmware;
        _card = card;
        _filing = filing;
        _places = places;
        _events = events;
        _clock = clock;
        _log = log;
        _idle = TimeSpan.FromSeconds(Math.Max(10, options.IdleSeconds));
        _firmware.Changed += OnDeviceEvent;
        _idleTimer = clock.CreateTimer(_ => CheckIdle(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>Completes when a background card read finishes (tests wait on it).</summary>
    public Task CurrentRead { get; private set; } = Task.CompletedTask;

    public ResidentSession? Current { get { lock (_gate) return _session; } }

    public ResidentSession Start(string? language)
    {
        var now = _clock.GetUtcNow();
        var session = new ResidentSession { StartedAt = now, LastActivity = now, Language = language == "en" ? "en" : "vi" };
        lock (_gate) _session = session;
        _log.LogInformation("Session started");
        Publish();
        return session;
    }

    public ResidentSession? Consent(bool accepted)
    {
        bool readNow;
        lock (_gate)
        {
            var s = _session ?? throw new SessionConflictException("no session");
            if (s.Step != SessionStep.Consent) throw new SessionConflictException("consent is not expected now");
            if (!accepted)
            {
                EndLocked("consent-declined");
                readNow = false;
            }
            else
            {
                var now = _clock.GetUtcNow();
                s.Consent = new ConsentRecord
                {
                    Purpose = s.Language == "en" ? ConsentPurposeEn : ConsentPurposeVi,
                    GivenAt = now.UtcDateTime,
                    Language = s.Language,
                };
                s.Step = SessionStep.WaitingCard;
                s.LastActivity = now;
                readNow = _firmware.Snapshot.CardPresent;
            }
        }
        Publish();
        if (readNow) BeginRead();
        return Current;
    }

    public async Task<(FilingResult? Result, IReadOnlyDictionary<string, FieldError> Errors)> SubmitAsync(
        ResidenceNotificationForm form, CancellationToken ct)
    {
        CardIdentity identity;
        ConsentRecord consent;
        ValidResidenceNotification valid;
        ResidentSession s;
        lock (_gate)
        {
            s = _session ?? throw new SessionConflictException("no session");
            if (s.Step != SessionStep.Form || s.Identity is null || s.Consent is null)
                throw new SessionConflictException("the form is not expected now");
            s.LastActivity = _clock.GetUtcNow();
            var today = DateOnly.FromDateTime(Receipts.VietnamTime.Now(_clock).DateTime);
            var (value, errors) = ResidenceNotification.Validate(form, _places, today);
            if (value is null) return (null, errors);
            valid = value;
            identity = s.Identity;
            consent = s.Consent;
            s.Step = SessionStep.Submitting;
        }
        Publish();
        FilingResult result;
        try
        {
            result = await _filing.SubmitAsync(identity, consent, valid, ct);
        }
        catch
        {
            lock (_gate) if (_session == s) s.Step = SessionStep.Form;
            Publish();
            throw;
        }
        lock (_gate)
        {
            if (_session == s)
            {
                s.Result = result;
                s.Step = SessionStep.Done;
                s.LastActivity = _clock.GetUtcNow();
            }
        }
        Publish();
        return (result, new Dictionary<string, FieldError>());
    }

    public void End(string reason)
    {
        lock (_gate) EndLocked(reason);
        Publish(reason);
    }

    private void EndLocked(string reason)
    {
        if (_session is null) return;
        _session = null; // drops identity, form and result with it
        _log.LogInformation("Session ended ({Reason})", reason);
    }

    private void OnDeviceEvent(DeviceEvent ev)
    {
        switch (ev)
        {
            case DeviceEvent.CardPlaced:
                bool read;
                lock (_gate) read = _session is { Step: SessionStep.WaitingCard };
                if (read) BeginRead();
                break;
            case DeviceEvent.CardRemoved:
                bool end;
                lock (_gate) end = _session is { Step: SessionStep.Reading or SessionStep.Form or SessionStep.Done };
                if (end) End("card-removed");
                break;
        }
    }

    private void BeginRead()
    {
        ResidentSession s;
        lock (_gate)
        {
            if (_session is not { Step: SessionStep.WaitingCard } current) return;
            s = current;
            s.Step = SessionStep.Reading;
            s.ReadError = null;
            s.LastActivity = _clock.GetUtcNow();
        }
        Publish();
        CurrentRead = Task.Run(async () =>
        {
            CardIdentity? identity = null;
            string? error = null;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var today = DateOnly.FromDateTime(Receipts.VietnamTime.Now(_clock).DateTime);
                identity = await new CardReader(_card).ReadIdentityAsync(today, timeout.Token);
                _log.LogInformation("Card read");
            }
            catch (Exception e) when (e is CardDataException or CardStatusException or CardUnavailableException or OperationCanceledException)
            {
                error = e switch
                {
                    CardUnavailableException => "card-unavailable",
                    CardStatusException => "card-refused",
                    CardDataException => "card-data",
                    _ => "timeout",
                };
                _log.LogWarning("Card read failed ({Error}: {Detail})", error, e is CardDataException cde ? cde.Error.ToString() : e.GetType().Name);
            }
            lock (_gate)
            {
                if (_session != s) return; // ended meanwhile: drop the data
                s.Identity = identity;
                s.ReadError = error;
                s.Step = identity is null ? SessionStep.WaitingCard : SessionStep.Form;
                s.LastActivity = _clock.GetUtcNow();
            }
            Publish();
        });
    }

    private void CheckIdle()
    {
        bool idle;
        lock (_gate)
            idle = _session is { Step: not SessionStep.Submitting and not SessionStep.Reading } s && _clock.GetUtcNow() - s.LastActivity > _idle;
        if (idle) End("idle");
    }

    /// <summary>Marks the session active (the page calls this on touches).</summary>
    public void Touch()
    {
        lock (_gate) if (_session is { } s) s.LastActivity = _clock.GetUtcNow();
    }

    private void Publish(string? endedReason = null)
    {
        var s = Current;
        _events.Publish("session", new { active = s is not null, step = s is null ? "idle" : StepName(s.Step), ended = endedReason });
    }

    public static string StepName(SessionStep step) => step switch
    {
        SessionStep.Consent => "consent",
        SessionStep.WaitingCard => "waitingCard",
        SessionStep.Reading => "reading",
        SessionStep.Form => "form",
        SessionStep.Submitting => "submitting",
        _ => "done",
    };

    public void Dispose()
    {
        _firmware.Changed -= OnDeviceEvent;
        _idleTimer.Dispose();
    }
}
