using System.Text.Json.Serialization;

namespace Kiosk.Host.Card;

/// <summary>
/// What the kiosk may do with a card, decided by <see cref="CardTrustPolicy"/>: the one outcome the session, the card
/// endpoints and <c>kioskctl</c> act on.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CardTrust>))]
public enum CardTrust
{
    /// <summary>Passive authentication valid, and every chip check the SOD calls for passed: the resident may file.</summary>
    [JsonStringEnumMemberName("verified")] Verified,
    /// <summary>
    /// The chip's data is intact but its signer is not chained to a CSCA this kiosk holds (or the kiosk holds none):
    /// the resident may file, and the dossier is marked for staff verification at the counter.
    /// </summary>
    [JsonStringEnumMemberName("untrusted")] Untrusted,
    /// <summary>The data contradicts its signature, or the chip cannot prove it is the genuine chip: no self-service filing.</summary>
    [JsonStringEnumMemberName("refused")] Refused,
}

/// <summary>Why a card is not <see cref="CardTrust.Verified"/>. Names of checks only, never personal data.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CardTrustReason>))]
public enum CardTrustReason
{
    /// <summary>The chip has no EF.SOD (or would not return it): nothing to verify its data against.</summary>
    [JsonStringEnumMemberName("security-object-missing")] SecurityObjectMissing,
    /// <summary>A data group does not match the SOD, or the SOD's signature does not verify (or does not parse).</summary>
    [JsonStringEnumMemberName("passive-authentication-invalid")] PassiveAuthenticationInvalid,
    /// <summary>The SOD is intact, but its document signer does not chain to a CSCA in the trust store (or was not valid when it signed).</summary>
    [JsonStringEnumMemberName("passive-authentication-untrusted")] PassiveAuthenticationUntrusted,
    /// <summary>The SOD lists a data group the read asked for and the chip did not return it (6A82, a secure-messaging error).</summary>
    [JsonStringEnumMemberName("listed-file-not-returned")] ListedFileNotReturned,
    /// <summary>The chip could not prove it holds the DG14 key: possibly a cloned chip.</summary>
    [JsonStringEnumMemberName("chip-authentication-failed")] ChipAuthenticationFailed,
    /// <summary>The SOD lists DG14 with a chip-authentication key but the check could not be run (file not returned, protocol unknown, no secure messaging).</summary>
    [JsonStringEnumMemberName("chip-authentication-not-completed")] ChipAuthenticationNotCompleted,
    /// <summary>The chip could not sign the kiosk's challenge with the DG15 key: possibly a cloned chip.</summary>
    [JsonStringEnumMemberName("active-authentication-failed")] ActiveAuthenticationFailed,
    /// <summary>The SOD lists DG15 but active authentication could not be run (file not returned, key unusable).</summary>
    [JsonStringEnumMemberName("active-authentication-not-completed")] ActiveAuthenticationNotCompleted,
    /// <summary>A saved dump (<c>kioskctl card inspect</c>): the chip checks the SOD calls for need the chip itself.</summary>
    [JsonStringEnumMemberName("chip-not-present")] ChipNotPresent,
}

/// <summary>Passive authentication as the host reports it (Kiosk.Emrtd's status, in the JSON words of issue 3).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PassiveCheck>))]
public enum PassiveCheck
{
    [JsonStringEnumMemberName("valid")] Valid,
    [JsonStringEnumMemberName("invalid")] Invalid,
    [JsonStringEnumMemberName("untrusted")] Untrusted,
}

/// <summary>The outcome of chip authentication (DG14) or active authentication (DG15).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChipCheck>))]
public enum ChipCheck
{
    [JsonStringEnumMemberName("passed")] Passed,
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>The card's signed data offers no such check: the SOD does not list DG14/DG15, or DG14 holds no chip-authentication key.</summary>
    [JsonStringEnumMemberName("not-supported")] NotSupported,
    /// <summary>The card offers the check with a protocol or key this kiosk cannot run.</summary>
    [JsonStringEnumMemberName("unknown-protocol")] UnknownProtocol,
    /// <summary>No chip to ask (a saved dump), or no secure-messaging channel to run chip authentication over.</summary>
    [JsonStringEnumMemberName("not-performed")] NotPerformed,
    /// <summary>The SOD lists the check's file (DG14/DG15) but the chip did not return it.</summary>
    [JsonStringEnumMemberName("not-read")] NotRead,
}

/// <summary>The fingerprint step's outcome carried by every dossier (the step itself comes with issue 9's fingerprint part).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FingerprintResult>))]
public enum FingerprintResult
{
    /// <summary>Matched 1:1 on the module against the holder's reference template.</summary>
    [JsonStringEnumMemberName("matched")] Matched,
    /// <summary>The resident could not give a fingerprint: staff verify the holder at the counter.</summary>
    [JsonStringEnumMemberName("assisted")] Assisted,
    /// <summary>No fingerprint step (today, for every dossier).</summary>
    [JsonStringEnumMemberName("not-required")] NotRequired,
}

/// <summary>
/// What the trust policy looks at, all of it without personal data: passive authentication, the data groups the SOD
/// lists (the signed list that decides what must be read; EF.COM is not signed), the listed ones the chip did not return,
/// and the chip's own checks.
/// </summary>
public sealed record CardTrustInput
{
    public required PassiveCheck PassiveAuthentication { get; init; }
    /// <summary>False when the chip has no EF.SOD (passive authentication is then <see cref="PassiveCheck.Invalid"/>).</summary>
    public bool SecurityObjectPresent { get; init; } = true;
    /// <summary>The data-group numbers of the SOD's hash list (empty without a SOD that parses).</summary>
    public required IReadOnlySet<int> ListedDataGroups { get; init; }
    /// <summary>The data groups the read has (taken from the chip, or found in a dump).</summary>
    public required IReadOnlySet<int> ReadDataGroups { get; init; }
    /// <summary>Listed data groups the read asked for that the chip would not return.</summary>
    public IReadOnlySet<int> NotReturned { get; init; } = new HashSet<int>();
    public required ChipCheck ChipAuthentication { get; init; }
    public required ChipCheck ActiveAuthentication { get; init; }
    /// <summary>False for a saved dump: the chip checks cannot be run without the chip.</summary>
    public bool ChipPresent { get; init; } = true;
}

/// <summary>The policy's answer: the outcome and every reason it is not <see cref="CardTrust.Verified"/>.</summary>
public sealed record CardTrustDecision(CardTrust Trust, IReadOnlyList<CardTrustReason> Reasons)
{
    /// <summary>A reason that points at the chip rather than the data: the data may be genuine and sit on a cloned chip.</summary>
    public bool PossibleClone => Reasons.Any(CardTrustPolicy.PointsAtTheChip);
}

/// <summary>
/// The chip-trust policy of issue 9, a pure function. <b>Verified</b>: passive authentication valid, chip
/// authentication passed when the SOD lists DG14 with a chip-authentication key (a DG14 whose hash matched and that holds
/// no such key says the issuer gave the chip none), and active authentication passed when the SOD lists DG15. A listed
/// file the chip does not return makes the read not verified, never "not supported". <b>Refused</b> (no self-service
/// filing): no SOD, passive authentication invalid, a listed file not returned, or a chip check failed or not completed.
/// <b>Untrusted</b> (filing marked for staff verification): only the signer's chain to this kiosk's CSCAs is missing.
/// </summary>
public static class CardTrustPolicy
{
    public const int ChipAuthenticationDataGroup = 14;
    public const int ActiveAuthenticationDataGroup = 15;

    public static CardTrustDecision Decide(CardTrustInput input)
    {
        var reasons = new List<CardTrustReason>();
        if (!input.SecurityObjectPresent) reasons.Add(CardTrustReason.SecurityObjectMissing);
        else if (input.PassiveAuthentication == PassiveCheck.Invalid) reasons.Add(CardTrustReason.PassiveAuthenticationInvalid);
        else if (input.PassiveAuthentication == PassiveCheck.Untrusted) reasons.Add(CardTrustReason.PassiveAuthenticationUntrusted);
        if (input.NotReturned.Count > 0) reasons.Add(CardTrustReason.ListedFileNotReturned);

        // Chip authentication: required when the SOD lists DG14. "Not supported" counts only for a DG14 that was read:
        // it then comes from the signed file itself (no chip-authentication key in it), never from a file left unread.
        if (input.ListedDataGroups.Contains(ChipAuthenticationDataGroup))
        {
            bool dg14Read = input.ReadDataGroups.Contains(ChipAuthenticationDataGroup);
            switch (input.ChipAuthentication)
            {
                case ChipCheck.Passed:
                    break;
                case ChipCheck.NotSupported when dg14Read:
                    break;
                case ChipCheck.Failed:
                    reasons.Add(CardTrustReason.ChipAuthenticationFailed);
                    break;
                case ChipCheck.NotPerformed when !input.ChipPresent:
                    reasons.Add(CardTrustReason.ChipNotPresent);
                    break;
                default:
                    reasons.Add(CardTrustReason.ChipAuthenticationNotCompleted);
                    break;
            }
        }
        else if (input.ChipAuthentication == ChipCheck.Failed) reasons.Add(CardTrustReason.ChipAuthenticationFailed);

        if (input.ListedDataGroups.Contains(ActiveAuthenticationDataGroup))
        {
            switch (input.ActiveAuthentication)
            {
                case ChipCheck.Passed:
                    break;
                case ChipCheck.Failed:
                    reasons.Add(CardTrustReason.ActiveAuthenticationFailed);
                    break;
                case ChipCheck.NotPerformed when !input.ChipPresent:
                    if (!reasons.Contains(CardTrustReason.ChipNotPresent)) reasons.Add(CardTrustReason.ChipNotPresent);
                    break;
                default:
                    reasons.Add(CardTrustReason.ActiveAuthenticationNotCompleted);
                    break;
            }
        }
        else if (input.ActiveAuthentication == ChipCheck.Failed) reasons.Add(CardTrustReason.ActiveAuthenticationFailed);

        CardTrust trust = reasons.Any(Refuses) ? CardTrust.Refused
            : reasons.Count > 0 ? CardTrust.Untrusted
            : CardTrust.Verified;
        return new CardTrustDecision(trust, reasons);
    }

    /// <summary>Every reason but an untrusted signer chain refuses self-service filing.</summary>
    public static bool Refuses(CardTrustReason reason) => reason != CardTrustReason.PassiveAuthenticationUntrusted;

    /// <summary>Reasons about the chip's own checks (possible clone), as against the data or its signature.</summary>
    public static bool PointsAtTheChip(CardTrustReason reason) => reason is CardTrustReason.ChipAuthenticationFailed
        or CardTrustReason.ChipAuthenticationNotCompleted or CardTrustReason.ActiveAuthenticationFailed
        or CardTrustReason.ActiveAuthenticationNotCompleted;
}

/// <summary>
/// The verification record of one read, without personal data or biometrics: the trust outcome and its reasons,
/// passive authentication (result, failures), chip and active authentication, the SOD's data-group list, digest
/// algorithm and SHA-256, the document signer's issuer and serial number, and the fingerprint result. The session and
/// <c>kioskctl</c> report it, and every dossier carries it (stored with the dossier, sent to the portal).
/// Arrays, not interfaces: LiteDB stores it as it is.
/// </summary>
public sealed record CardVerification
{
    public required CardTrust Trust { get; init; }
    public CardTrustReason[] Reasons { get; init; } = [];
    public required PassiveCheck PassiveAuthentication { get; init; }
    /// <summary>Passive authentication's failures, as Kiosk.Emrtd words them (check names, DG numbers, certificate dates).</summary>
    public string[] PassiveAuthenticationFailures { get; init; } = [];
    public required ChipCheck ChipAuthentication { get; init; }
    public required ChipCheck ActiveAuthentication { get; init; }
    /// <summary>The data groups the SOD lists (its signed hash list).</summary>
    public int[] DataGroupsListed { get; init; } = [];
    /// <summary>The data groups the read took from the chip.</summary>
    public int[] DataGroupsRead { get; init; } = [];
    /// <summary>The listed data groups the read asked for and the chip did not return.</summary>
    public int[] DataGroupsNotReturned { get; init; } = [];
    /// <summary>The SOD's digest algorithm for the data-group hashes ("SHA-256"; the OID when .NET has no name for it).</summary>
    public string? SodDigestAlgorithm { get; init; }
    /// <summary>SHA-256 of EF.SOD as read (hex, lower case).</summary>
    public string? SodSha256 { get; init; }
    public string? DocumentSignerIssuer { get; init; }
    public string? DocumentSignerSerialNumber { get; init; }
    public FingerprintResult Fingerprint { get; init; } = FingerprintResult.NotRequired;

    /// <summary>True when the resident may file without any mark (<see cref="CardTrust.Verified"/>).</summary>
    public bool Verified => Trust == CardTrust.Verified;

    /// <summary>True when a dossier filed on this read is marked for staff verification at the counter.</summary>
    public bool StaffVerification => Trust != CardTrust.Verified;
}
