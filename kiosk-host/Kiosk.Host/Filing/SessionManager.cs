using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Places;
using Kiosk.Host.Store;
using Kiosk.Host.Web;

namespace Kiosk.Host.Filing;

/// <summary>
/// The resident's steps. <see cref="CardRefused"/>: the chip failed verification (trust policy: refused); the resident is
/// sent to the ward police counter with the card and nothing can be filed in this session.
/// </summary>
public enum SessionStep { Consent, Can, WaitingCard, Reading, Form, Submitting, Done, CardRefused }

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
    /// <summary>
    /// VNeID only: the consent to reading the chip's face image (DG2), given on the consent screen that names it. Without
    /// it the read leaves DG2 alone.
    /// </summary>
    public ConsentRecord? FaceConsent { get; set; }
    /// <summary>The fingerprint consent (Decree 13/2023): null until the resident answers; the capture itself comes later.</summary>
    public ConsentRecord? FingerprintConsent { get; set; }
    public bool? FingerprintAccepted { get; set; }
    public CardIdentity? Identity { get; set; }
    /// <summary>The verification record of the last read (no personal data); kept when a refused card's identity is dropped.</summary>
    public CardVerification? Verification { get; set; }
    /// <summary>
    /// The DG2 face image of the read (for the VNeID service later): personal data, in memory only, dropped with the
    /// session; never logged, stored in a dossier or sent back by the session API.
    /// </summary>
    internal Kiosk.Emrtd.Lds.FaceImage? Face { get; set; }
    public string? ReadError { get; set; }
    /// <summary>
    /// The CAN or the MRZ details the resident typed: personal data. Kept in memory for the next read only; dropped
    /// after a successful or refused read and when the session ends. Never logged or stored.
    /// </summary>
    internal TypedAccessKey? AccessKey { get; set; }
    /// <summary>
    /// Reads the card refused the typed CAN or MRZ details (6300) in this session; at
    /// <see cref="SessionManager.MaxCanAttempts"/> no more (both count together: the chip counts its own failures).
    /// </summary>
    public int CanFailures { get; set; }
    /// <summary>True while the running read uses a typed key (false: a read without a key, to see whether the card needs one).</summary>
    internal bool ReadingWithCan { get; set; }
    public FilingResult? Result { get; set; }
    /// <summary>New wards (since 1 July 2025) for the pre-2025 residence address on the chip; the resident chooses.</summary>
    public IReadOnlyList<WardSuggestion> ResidenceSuggestions { get; set; } = [];
}

/// <summary>
/// What the resident typed to open the chip: the CAN (last 6 digits of the 12-digit ID number), or the MRZ's document
/// number (9 digits on a CCCD) with the dates of birth and expiry as YYMMDD. Personal data: in memory for one read
/// only, never logged or stored.
/// </summary>
public sealed record TypedAccessKey
{
    private TypedAccessKey() { }

    public string? Can { get; private init; }
    public string? DocumentNumber { get; private init; }
    public string? DateOfBirth { get; private init; }
    public string? DateOfExpiry { get; private init; }

    public bool IsMrz => Can is null;

    public static TypedAccessKey FromCan(string can) => new() { Can = can };

    public static TypedAccessKey FromMrz(string documentNumber, string dateOfBirth, string dateOfExpiry) =>
        new() { DocumentNumber = documentNumber, DateOfBirth = dateOfBirth, DateOfExpiry = dateOfExpiry };

    public CardAccessKey ToCardAccessKey() => Can is not null
        ? CardAccessKey.FromCan(Can)
        : CardAccessKey.FromMrz(DocumentNumber!, DateOfBirth!, DateOfExpiry!);

    public override string ToString() => "TypedAccessKey { … }";
}

public sealed class SessionConflictException(string message) : Exception(message);

/// <summary>
/// One resident session at a time: start → consent → CAN → wait for the card (a "card placed" event starts the read) →
/// identity + form → submit → done. Card removed (after the read) or idle → the session ends.
/// <para>
/// The CAN (a CCCD's chip needs PACE with the last 6 digits of the 12-digit ID number; nothing is printed) is asked
/// first, right after the chip consent, and the card is read with it once it is on the reader: a real CCCD always needs
/// it, and the resident types it while the card lies on the reader. A card placed before the CAN is typed is tried
/// without a key: a card without access control is read at once (the CAN step is skipped), one that needs a key (6982)
/// brings the resident back to the CAN step (<c>readError</c> <c>can-required</c>). A card without access control read
/// with a CAN simply ignores it. The card refusing the CAN (6300) counts a failure and asks for it again
/// (<c>can-wrong</c>); after <see cref="MaxCanAttempts"/> the kiosk stops trying (<c>can-locked</c>: the chip may block
/// after repeated failures; staff help). Instead of the CAN the resident may type the MRZ details (document number,
/// dates of birth and expiry: PACE with the MRZ password, BAC as fallback); they go the same way, a refusal is
/// <c>mrz-wrong</c> and counts towards the same limit.
/// </para>
/// </summary>
public sealed class SessionManager : IDisposable
{

    /// <summary>The consent purpose recorded before the chip is read (resource key <c>consent.purpose.chip</c>).</summary>
    public static string ChipPurpose(string service, string language) => Purpose("consent.purpose.chip", service, language);

    /// <summary>The consent purpose recorded for reading the chip's face image (VNeID; resource key <c>consent.purpose.face</c>).</summary>
    public static string FacePurpose(string service, string language) => Purpose("consent.purpose.face", service, language);

    /// <summary>True for the services that need the chip's face image (DG2): VNeID account help, level 1.</summary>
    public static bool NeedsFaceImage(string service) => service == Services.VneidHelp;

    /// <summary>The consent purpose recorded before a fingerprint is captured (resource key <c>consent.purpose.fingerprint</c>).</summary>
    public static string FingerprintPurpose(string service, string language) => Purpose("consent.purpose.fingerprint", service, language);

    private static string Purpose(string key, string service, string language)
    {
        var info = Services.Get(service);
        var lang = language == "en" ? "en" : "vi";
        return Messages.Text(lang, key).Replace("{title}", lang == "en" ? info.TitleEn : info.TitleVi, StringComparison.Ordinal);
    }

    /// <summary>Wrong CANs per session before the kiosk stops trying and sends the resident to staff.</summary>
    public const int MaxCanAttempts = 3;

    private readonly IFirmwareLink _firmware;
    private readonly ICardChannel _card;
    private readonly FilingService _filing;
    private readonly AdminUnits _places;
    private readonly EventHub _events;
    private readonly TimeProvider _clock;
    private readonly ILogger<SessionManager> _log;
    private readonly CardTrustMonitor _trust;
    private readonly TimeSpan _idle;
    private readonly ITimer _idleTimer;
    private readonly Lock _gate = new();
    private ResidentSession? _session;

    public SessionManager(IFirmwareLink firmware, ICardChannel card, FilingService filing, AdminUnits places, EventHub events,
        HostOptions options, TimeProvider clock, ILogger<SessionManager> log, CardTrustMonitor trust, IConfiguration? configuration = null)
    {
        _trust = trust;
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
        string? cscaFolder = configuration is null ? null : CscaTrust.Folder(configuration);
        ReadCard = (channel, key, today, includeFace, ct) => new CardReader(channel, key?.ToCardAccessKey())
            .ReadVerifiedAsync(CscaTrust.Load(cscaFolder), _clock.GetUtcNow(), today, ct, includeFace);
    }

    /// <summary>
    /// The card read (channel, typed key or null, today, whether DG2 is read): the full read of <c>kioskctl card read</c>
    /// (<see cref="CardReader.ReadVerifiedAsync"/>, key <see cref="TypedAccessKey.ToCardAccessKey"/>), verified against the host's
    /// CSCA folder (<c>--csca</c>; none: untrusted); the face image only for a service that needs it and after its
    /// consent (<see cref="ResidentSession.FaceConsent"/>). Tests replace it.
    /// </summary>
    internal Func<ICardChannel, TypedAccessKey?, DateOnly, bool, CancellationToken, Task<CardReadResult>> ReadCard { get; set; }

    /// <summary>A resident's read: the full read (about 1 s on a CCCD at 424 kbit/s) with room for a slow card.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

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
                // The VNeID consent screen names the face image: agreeing to it is agreeing to DG2 being read and sent.
                s.FaceConsent = NeedsFaceImage(s.Service)
                    ? new ConsentRecord { Purpose = FacePurpose(s.Service, s.Language), GivenAt = now.UtcDateTime, Language = s.Language }
                    : null;
                s.Step = SessionStep.Can;
                s.LastActivity = now;
                readNow = _firmware.Snapshot.CardPresent;
            }
        }
        Publish();
        if (readNow) BeginRead();
        return Current;
    }

    /// <summary>True when <paramref name="can"/> is a CAN: exactly 6 ASCII digits.</summary>
    public static bool IsValidCan(string? can) => can is { Length: 6 } && can.All(char.IsAsciiDigit);

    /// <summary>
    /// Takes the CAN the resident typed (in the CAN step, or while a card placed before it is tried without a key) and
    /// reads the card with it when it is on the reader. Refused after <see cref="MaxCanAttempts"/> wrong CANs.
    /// </summary>
    public ResidentSession? EnterCan(string can)
    {
        if (!IsValidCan(can)) throw new ArgumentException("a CAN is 6 digits", nameof(can));
        return EnterKey(TypedAccessKey.FromCan(can));
    }

    /// <summary>
    /// Takes the MRZ details the resident typed instead of the CAN (document number, dates as YYMMDD, validated by
    /// <see cref="MrzEntry.Validate"/>), in the same step and with the same count of refusals as a CAN.
    /// </summary>
    public ResidentSession? EnterMrz(string documentNumber, string dateOfBirth, string dateOfExpiry)
    {
        _ = CardAccessKey.FromMrz(documentNumber, dateOfBirth, dateOfExpiry); // throws ArgumentException when malformed
        return EnterKey(TypedAccessKey.FromMrz(documentNumber, dateOfBirth, dateOfExpiry));
    }

    private ResidentSession? EnterKey(TypedAccessKey key)
    {
        bool readNow = false;
        lock (_gate)
        {
            var s = _session ?? throw new SessionConflictException("no session");
            if (s.CanFailures >= MaxCanAttempts) throw new SessionConflictException("too many wrong CANs");
            var duringProbe = s.Step == SessionStep.Reading && !s.ReadingWithCan;
            if (s.Step != SessionStep.Can && !duringProbe) throw new SessionConflictException("the CAN is not expected now");
            s.AccessKey = key;
            s.LastActivity = _clock.GetUtcNow();
            if (!duringProbe)
            {
                s.Step = SessionStep.WaitingCard;
                s.ReadError = null;
                readNow = _firmware.Snapshot.CardPresent;
            }
            // else: the read without a key finishes first; if the card needs a key it is read again with this one.
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
        Kiosk.Emrtd.Lds.FaceImage? face;
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
            if (s.Identity.Verification is not { Trust: not CardTrust.Refused })
                throw new SessionConflictException("the card was not verified"); // never reached: a refused read has no form
            consents = [s.Consent];
            if (s.FaceConsent is { } faceConsent) consents.Add(faceConsent);
            if (s.FingerprintConsent is { } fp) consents.Add(fp);
            face = service == Services.VneidHelp ? s.Face : null;
            s.Step = SessionStep.Submitting;
        }
        Publish();
        FilingResult result;
        try
        {
            result = await _filing.SubmitAsync(identity, consents, valid, ct, face);
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
        _session.AccessKey = null; // a read still running holds the session object: the CAN or MRZ goes now
        if (_session.Face is { } face) Array.Clear(face.Data); // and so does the face image, zeroed (the VNeID hand-off holds its own copy)
        _session.Face = null;
        _session = null; // drops identity, form and result with it
        _log.LogInformation("Session ended ({Reason})", reason);
    }

    private void OnDeviceEvent(DeviceEvent ev)
    {
        switch (ev)
        {
            case DeviceEvent.CardPlaced:
                bool read;
                lock (_gate) read = _session is { Step: SessionStep.WaitingCard } || _session is { Step: SessionStep.Can, CanFailures: < MaxCanAttempts };
                if (read) BeginRead();
                break;
            case DeviceEvent.CardRemoved:
                bool end;
                // A card taken off during a read only fails that read: the read error sends the resident back to
                // waiting for the card, with the CAN kept. Once the identity is on screen, removing the card ends it.
                lock (_gate) end = _session is { Step: SessionStep.Form or SessionStep.Done or SessionStep.CardRefused };
                if (end) End("card-removed");
                break;
        }
    }

    private void BeginRead()
    {
        ResidentSession s;
        TypedAccessKey? key;
        bool includeFace;
        lock (_gate)
        {
            if (_session is not { Step: SessionStep.WaitingCard or SessionStep.Can } current) return;
            if (current.Step == SessionStep.Can && current.CanFailures >= MaxCanAttempts) return;
            s = current;
            // In the CAN step no CAN was typed yet: the card is tried without a key.
            key = s.Step == SessionStep.WaitingCard ? s.AccessKey : null;
            s.ReadingWithCan = key is not null;
            includeFace = NeedsFaceImage(s.Service) && s.FaceConsent is not null;
            s.Step = SessionStep.Reading;
            s.ReadError = null;
            s.LastActivity = _clock.GetUtcNow();
        }
        Publish();
        CurrentRead = Task.Run(async () =>
        {
            CardIdentity? identity = null;
            Kiosk.Emrtd.Lds.FaceImage? face = null;
            string? error = null;
            try
            {
                using var timeout = new CancellationTokenSource(ReadTimeout);
                var today = DateOnly.FromDateTime(Receipts.VietnamTime.Now(_clock).DateTime);
                var read = await ReadCard(_card, key, today, includeFace, timeout.Token);
                (identity, face) = (read.Identity, read.Face);
                // The outcome of the checks only: never the identity or the face.
                _log.LogInformation("Card read ({Trust}, passive authentication {Passive}, face image {Face})",
                    identity.Verification is { } v ? CardTrustMonitor.Word(v.Trust) : "not verified",
                    identity.Verification is { } p ? CardTrustMonitor.Word(p.PassiveAuthentication) : "none", includeFace ? "read" : "not read");
            }
            catch (Exception e) when (e is CardDataException or CardStatusException or CardUnavailableException or OperationCanceledException)
            {
                error = e switch
                {
                    CardUnavailableException => "card-unavailable",
                    CardStatusException { StatusWord: 0x6300 } when key is not null => key.IsMrz ? "mrz-wrong" : "can-wrong",
                    CardStatusException { StatusWord: 0x6982 } when key is null => "can-required",
                    CardStatusException => "card-refused",
                    CardDataException => "card-data",
                    _ => "timeout",
                };
                // The status word and the kind of error only: never the CAN or the MRZ.
                _log.LogWarning("Card read failed ({Error}: {Detail})", error,
                    e switch { CardDataException cde => cde.Error.ToString(), CardStatusException cse => cse.StatusWord.ToString("X4"), _ => e.GetType().Name });
            }
            bool readAgain = false;
            // The trust policy decides (a read without a verification record is refused: fail closed).
            CardVerification? verification = identity is null ? null
                : identity.Verification ?? new CardVerification
                {
                    Trust = CardTrust.Refused, Reasons = [CardTrustReason.SecurityObjectMissing], PassiveAuthentication = PassiveCheck.Invalid,
                    ChipAuthentication = ChipCheck.NotPerformed, ActiveAuthentication = ChipCheck.NotPerformed,
                };
            bool refused = verification is { Trust: CardTrust.Refused };
            if (refused)
            {
                // Nothing of the holder stays: no identity on screen, no face image, nothing to file.
                if (face is not null) Array.Clear(face.Data);
                (identity, face) = (null, null);
            }
            lock (_gate)
            {
                if (_session != s) return; // ended meanwhile: drop the data
                s.Identity = identity;
                s.Face = face;
                s.Verification = verification;
                s.ResidenceSuggestions = identity is null ? [] : _places.SuggestForOldAddress(identity.PlaceOfResidence);
                s.ReadingWithCan = false;
                s.LastActivity = _clock.GetUtcNow();
                if (refused)
                {
                    s.AccessKey = null;
                    s.ReadError = null;
                    s.Step = SessionStep.CardRefused;
                }
                else if (identity is not null)
                {
                    s.AccessKey = null; // read: the key has done its job (and a card without access control never needed it)
                    s.ReadError = null;
                    s.Step = SessionStep.Form;
                }
                else if (error is "can-wrong" or "mrz-wrong")
                {
                    s.AccessKey = null;
                    s.CanFailures++;
                    s.ReadError = s.CanFailures >= MaxCanAttempts ? "can-locked" : error;
                    s.Step = SessionStep.Can;
                }
                else if (key is null)
                {
                    // Tried without a key from the CAN step. A CAN typed meanwhile is used at once when the card needs one.
                    s.ReadError = error;
                    if (error == "can-required" && s.AccessKey is not null)
                    {
                        s.ReadError = null;
                        s.Step = SessionStep.WaitingCard;
                        readAgain = _firmware.Snapshot.CardPresent;
                    }
                    else s.Step = s.AccessKey is null ? SessionStep.Can : SessionStep.WaitingCard;
                }
                else
                {
                    // Card removed mid-read, timeout, bad data: the existing read error; the key stays for the next try.
                    s.ReadError = error;
                    s.Step = SessionStep.WaitingCard;
                }
            }
            if (refused) _trust.RecordRefused(verification!);
            else if (verification is { Trust: CardTrust.Untrusted }) _trust.RecordUntrusted(verification);
            Publish();
            if (readAgain) BeginRead();
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
        SessionStep.Can => "can",
        SessionStep.WaitingCard => "waitingCard",
        SessionStep.Reading => "reading",
        SessionStep.Form => "form",
        SessionStep.Submitting => "submitting",
        SessionStep.CardRefused => "cardRefused",
        _ => "done",
    };

    public void Dispose()
    {
        _firmware.Changed -= OnDeviceEvent;
        _idleTimer.Dispose();
    }
}
