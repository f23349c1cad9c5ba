using System.Text.Json.Serialization;

namespace Kiosk.Host.Card;

/// <summary>The CSCA trust store as technicians see it; anything but <see cref="Ok"/> needs attention.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrustStoreState>))]
public enum TrustStoreState
{
    /// <summary>At least one CSCA certificate valid today, no master list rejected, no untrusted card since the start.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>No <c>--csca</c> folder, or the folder does not exist: every card is untrusted.</summary>
    [JsonStringEnumMemberName("missing")] Missing,
    /// <summary>The folder holds no CSCA certificate.</summary>
    [JsonStringEnumMemberName("empty")] Empty,
    /// <summary>Every CSCA certificate in the folder has expired (or is not valid yet).</summary>
    [JsonStringEnumMemberName("expired")] Expired,
    /// <summary>Certificates are there, but a master list was rejected, or cards were untrusted since the start (a CSCA may be missing).</summary>
    [JsonStringEnumMemberName("attention")] Attention,
}

/// <summary>What <c>GET /api/maintenance/card-trust</c> and the console show. No personal data: counts, reasons, times.</summary>
public sealed record CardTrustStatus(
    TrustStoreState TrustStore,
    bool TrustStoreNeedsAttention,
    string? TrustFolder,
    int Certificates,
    int CertificatesValidNow,
    IReadOnlyList<string> TrustStoreWarnings,
    int RefusedCards,
    IReadOnlyDictionary<string, int> RefusedByReason,
    DateTimeOffset? LastRefusedAt,
    int UntrustedCards,
    DateTimeOffset? LastUntrustedAt);

/// <summary>
/// Counts the cards the trust policy refused or marked since the host started and writes each refusal to the host's log
/// as a security event (event id <see cref="SecurityEventId"/>): the reasons, the time and the kiosk, never personal
/// data. Also judges the CSCA trust store (<c>--csca</c>) for technicians.
/// </summary>
public sealed class CardTrustMonitor(HostOptions options, TimeProvider clock, ILogger<CardTrustMonitor> log, IConfiguration? configuration = null)
{
    /// <summary>The log event of a refused card (category <c>Kiosk.Host.Card.CardTrustMonitor</c>, level Warning).</summary>
    public static readonly EventId SecurityEventId = new(9001, "SecurityEvent");

    private readonly Lock _gate = new();
    private readonly Dictionary<CardTrustReason, int> _refusedByReason = [];
    private int _refused;
    private int _untrusted;
    private DateTimeOffset? _lastRefused;
    private DateTimeOffset? _lastUntrusted;

    public string? TrustFolder { get; } = configuration is null ? null : CscaTrust.Folder(configuration);

    /// <summary>A card the policy refused: no self-service filing. Counted and logged as a security event.</summary>
    public void RecordRefused(CardVerification verification)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            _refused++;
            _lastRefused = now;
            foreach (var reason in verification.Reasons) _refusedByReason[reason] = _refusedByReason.GetValueOrDefault(reason) + 1;
        }
        log.LogWarning(SecurityEventId,
            "Security event: card refused for self-service filing ({Reasons}; chip authentication {Chip}, active authentication {Active}) at {Time:o}, kiosk {KioskId}",
            string.Join(", ", verification.Reasons.Select(Word)), Word(verification.ChipAuthentication), Word(verification.ActiveAuthentication),
            now, options.EffectiveKioskId);
    }

    /// <summary>A card whose signer is not chained to this kiosk's CSCAs: filed, marked for staff; the trust store needs a look.</summary>
    public void RecordUntrusted(CardVerification verification)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            _untrusted++;
            _lastUntrusted = now;
        }
        log.LogWarning("Card untrusted ({Reasons}): its dossier goes marked for staff verification; the CSCA trust store may need attention",
            string.Join(", ", verification.Reasons.Select(Word)));
    }

    public CardTrustStatus Status()
    {
        var store = CscaTrust.Load(TrustFolder);
        var now = clock.GetUtcNow();
        int valid = store.Certificates.Count(c => c.IsValidAt(now));
        lock (_gate)
        {
            TrustStoreState state =
                string.IsNullOrWhiteSpace(TrustFolder) || !Directory.Exists(TrustFolder) ? TrustStoreState.Missing
                : store.Certificates.Count == 0 ? TrustStoreState.Empty
                : valid == 0 ? TrustStoreState.Expired
                : store.Warnings.Count > 0 || _untrusted > 0 ? TrustStoreState.Attention
                : TrustStoreState.Ok;
            return new CardTrustStatus(state, state != TrustStoreState.Ok, TrustFolder, store.Certificates.Count, valid, store.Warnings,
                _refused, _refusedByReason.ToDictionary(p => Word(p.Key), p => p.Value), _lastRefused, _untrusted, _lastUntrusted);
        }
    }

    /// <summary>An enum's JSON word (its <see cref="JsonStringEnumMemberNameAttribute"/>).</summary>
    public static string Word<T>(T value) where T : struct, Enum => System.Text.Json.JsonSerializer.Serialize(value).Trim('"');
}
