using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Places;
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
    /// <summary>The chosen service (procedure id, <see cref="Services"/>).</summary>
    public string Service { get; set; } = Services.ResidenceNotification;
    public SessionStep Step { get; set; } = SessionStep.Consent;
    public ConsentRecord? Consent { get; set; }
    /// <summary>The fingerprint consent (Decree 13/2023): null until the resident answers; the capture itself comes later.</summary>
    public ConsentRecord? FingerprintConsent { get; set; }
    public bool? FingerprintAccepted { get; set; }
    public CardIdentity? Identity { get; set; }
    public string? ReadError { get; set; }
    public FilingResult? Result { get; set; }
    /// <summary>New wards (since 1 July 2025) for the pre-2025 residence address on the chip; the resident chooses.</summary>
    public IReadOnlyList<WardSuggestion> ResidenceSuggestions { get; set; } = [];
}

public sealed class SessionConflictException(string message) : Exception(message);

/// <summary>
/// One resident session at a time: start → consent → wait for the card (a "card placed" event starts the read) →
/// identity + form → submit → done. Card removed (after the read) or idle → the session ends.
/// </summary>
public sealed class SessionManager : IDisposable
{

    public static string ChipPurpose(string service, string language)
    {
        var info = Services.Get(service);
        return language == "en"
            ? $"Reading the ID card chip to prepare this filing: {info.TitleEn}."
            : $"Đọc dữ liệu chip trên thẻ căn cước để lập hồ sơ: {info.TitleVi}.";
    }

    public static string FingerprintPurpose(string service, string language)
    {
        var info = Services.Get(service);
        return language == "en"
            ? $"Capturing a fingerprint to confirm the card holder for this filing: {info.TitleEn}."
            : $"Thu nhận vân tay để xác thực chủ thẻ cho hồ sơ: {info.TitleVi}.";
    }

    private readonly IFirmwareLink _firmware;
    private readonly ICardChannel _card;
    private readonly FilingService _filing;
    private readonly AdminUnits _places;
    private readonly EventHub _events;
    private readonly TimeProvider _clock;
    private readonly ILogger<SessionManager> _log;
    private readonly TimeSpan _idle;
    private readonly ITimer _idleTimer;
    private readonly Lock _gate = new();
    private ResidentSession? _session;

    public SessionManager(IFirmwareLink firmware, ICardChannel card, FilingService filing, AdminUnits places, EventHub events,
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

    public AdminUnits Places => _places;

    public ResidentSession Start(string? language, string? service = null)
    {
        var now = _clock.GetUtcNow();
        var session = new ResidentSession
        {
            StartedAt = now, LastActivity = now, Language = language == "en" ? "en" : "vi",
            Service = Services.Find(service)?.Procedure ?? Services.ResidenceNotification,
        };
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
                    Purpose = ChipPurpose(s.Service, s.Language),
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

    /// <summary>Records the answer to the fingerprint consent screen (the capture itself is a later issue).</summary>
    public ResidentSession? AnswerFingerprintConsent(bool accepted)
    {
        lock (_gate)
        {
            var s = _session ?? throw new SessionConflictException("no session");
            if (s.Step != SessionStep.Form) throw new SessionConflictException("fingerprint consent is not expected now");
            var now = _clock.GetUtcNow();
            s.FingerprintAccepted = accepted;
            s.FingerprintConsent = accepted
                ? new ConsentRecord { Purpose = FingerprintPurpose(s.Service, s.Language), GivenAt = now.UtcDateTime, Language = s.Language }
                : null;
            s.LastActivity = now;
        }
        Publish();
        return Current;
    }

    public Task<(FilingResult? Result, IReadOnlyDictionary<string, FieldError> Errors)> SubmitAsync(
        ResidenceNotificationForm form, CancellationToken ct) =>
        SubmitAsync(Services.ResidenceNotification, (person, today) => ServiceForms.ValidateResidenceNotification(form, person, _places, today), ct);

    /// <summary>Validates the chosen service's form against the chip identity and files it.</summary>
    public async Task<(FilingResult? Result, IReadOnlyDictionary<string, FieldError> Errors)> SubmitAsync(
        string service, Func<CardIdentity, DateOnly, (ValidFiling? Value, IReadOnlyDictionary<string, FieldError> Errors)> validate,
        CancellationToken ct)
    {
        CardIdentity identity;
        List<ConsentRecord> consents;
        ValidFiling valid;
        ResidentSession s;
        lock (_gate)
        {
            s = _session ?? throw new SessionConflictException("no session");
            if (s.Step != SessionStep.Form || s.Identity is null || s.Consent is null)
                throw new SessionConflictException("the form is not expected now");
            if (s.Service != service) throw new SessionConflictException("this session is for another service");
            s.LastActivity = _clock.GetUtcNow();
            var today = DateOnly.FromDateTime(Receipts.VietnamTime.Now(_clock).DateTime);
            var (value, errors) = validate(s.Identity, today);
            if (value is null) return (null, errors);
            valid = value;
            identity = s.Identity;
            consents = [s.Consent];
            if (s.FingerprintConsent is { } fp) consents.Add(fp);
            s.Step = SessionStep.Submitting;
        }
        Publish();
        FilingResult result;
        try
        {
            result = await _filing.SubmitAsync(identity, consents, valid, ct);
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
                s.ResidenceSuggestions = identity is null ? [] : _places.SuggestForOldAddress(identity.PlaceOfResidence);
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
