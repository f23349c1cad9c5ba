using System.Diagnostics;
using System.Security.Cryptography;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;

namespace Kiosk.Host.Card;

/// <summary>
/// The one full read of a CCCD, shared by the resident session and <c>kioskctl card read</c>: access control, EF.SOD,
/// then the data groups its signed hash list names among DG1, DG2 (only when the face image is wanted), DG13, DG14, DG15,
/// then active authentication (DG15) and chip authentication (DG14). EF.COM is not signed: it is read only when the chip
/// has no EF.SOD that parses (the plain old profile), to know what to read at all. <see cref="CardVerifier"/> turns the
/// files into an identity with its <see cref="CardVerification"/>.
/// </summary>
public sealed partial class CardReader
{
    /// <summary>The data groups the full read takes when the SOD lists them, in reading order, with their numbers.</summary>
    public static readonly IReadOnlyList<(string Name, ushort Fid, int Number)> OptionalDataGroups =
        [("DG13", FidDg13, 13), ("DG2", FidDg2, 2), ("DG14", FidDg14, 14), ("DG15", FidDg15, 15)];

    /// <summary>The full read with the face image (DG2), as <c>kioskctl card read</c> takes it.</summary>
    public Task<CardFiles> ReadAllAsync(CancellationToken ct) => ReadAllAsync(includeFace: true, ct);

    /// <summary>
    /// Opens the chip and reads every file the kiosk uses, then runs the chip's own checks. Bounded: each file at most
    /// <see cref="MaxFileLength"/> bytes and <see cref="MaxReadsPerFile"/> reads, seven files at most; the caller's
    /// token bounds the time. DG1 is required. A data group the SOD lists and the read asks for that the chip will not
    /// return (a status word such as 6A82, a secure-messaging error, a file cut short) is kept in
    /// <see cref="CardFiles.NotReturned"/>: the trust policy then refuses the read, it is never "not supported". A card
    /// taken off or a timeout ends the read (the caller's read error). DG2 only with <paramref name="includeFace"/>.
    /// </summary>
    public async Task<CardFiles> ReadAllAsync(bool includeFace, CancellationToken ct)
    {
        var step = Stopwatch.StartNew();
        await OpenAsync(ct);
        double openMs = Ms(step);
        var fileMs = new Dictionary<string, double>();
        var files = new Dictionary<string, byte[]>();
        var notReturned = new Dictionary<string, string>();

        async Task<bool> TimedAsync(string name, Func<Task<byte[]?>> read)
        {
            step.Restart();
            byte[]? bytes = await read();
            fileMs[name] = Ms(step);
            if (bytes is null) return false;
            files[name] = bytes;
            return true;
        }

        // A listed file must come: whatever the chip answers instead is kept as the reason it did not.
        async Task<byte[]?> MustReadAsync(string name, ushort fid)
        {
            try { return await ReadLdsFileAsync(fid, ct); }
            catch (CardStatusException e) { notReturned[name] = $"SW {e.StatusWord:X4}"; }
            catch (CardDataException e) { notReturned[name] = e.Error.ToString(); }
            return null;
        }

        // EF.SOD first: its signed list of data-group hashes decides what must be read. 6A82 means the chip has none;
        // any other refusal (6982: the card needs a key) ends the read as before.
        IReadOnlySet<int>? listed = null;
        if (await TimedAsync("EF.SOD", () => TryReadLdsFileAsync(FidSod, ct))) listed = ListedInSod(files["EF.SOD"]);

        IReadOnlySet<string>? com = null;
        if (listed is null && await TimedAsync("EF.COM", () => TryReadLdsFileAsync(FidCom, ct))) com = ListedDataGroups(files["EF.COM"]);
        await TimedAsync("DG1", async () => await ReadLdsFileAsync(FidDg1, ct));
        foreach (var (name, fid, number) in OptionalDataGroups)
        {
            if (number == 2 && !includeFace) continue;
            if (listed is not null)
            {
                if (listed.Contains(number)) await TimedAsync(name, () => MustReadAsync(name, fid));
            }
            else if (com is null ? name == "DG13" : com.Contains(name))
            {
                await TimedAsync(name, () => TryReadLdsFileAsync(fid, ct));
            }
        }

        // Active authentication first (under the PACE/BAC keys), then chip authentication, which replaces them: a chip
        // that fails one does not spoil the other.
        step.Restart();
        ChipCheck active = files.TryGetValue("DG15", out var dg15) ? await ActiveAuthenticateAsync(dg15, files.GetValueOrDefault("DG14"), ct)
            : notReturned.ContainsKey("DG15") ? ChipCheck.NotRead : ChipCheck.NotSupported;
        double activeMs = Ms(step);
        step.Restart();
        ChipCheck chip = files.TryGetValue("DG14", out var dg14) ? await ChipAuthenticateAsync(dg14, ct)
            : notReturned.ContainsKey("DG14") ? ChipCheck.NotRead : ChipCheck.NotSupported;
        double chipMs = Ms(step);
        return new CardFiles(files, new ChipChecks(chip, active), new CardReadTimings(openMs, fileMs, activeMs, chipMs)) { NotReturned = notReturned };
    }

    /// <summary>The full read, verified: the identity with its <see cref="CardIdentity.Verification"/> and the face image.</summary>
    public async Task<CardReadResult> ReadVerifiedAsync(CscaTrustStore trust, DateTimeOffset now, DateOnly today, CancellationToken ct,
        bool includeFace = true) =>
        CardVerifier.Verify(await ReadAllAsync(includeFace, ct), trust, now, today).Result;

    /// <summary>The data groups EF.COM lists (tag list 5C: 61 → DG1, 75 → DG2, 6D → DG13, …).</summary>
    public static IReadOnlySet<string> ListedDataGroups(byte[] efCom) =>
        CardDataException.Wrap(() => EfCom.Parse(efCom)).DataGroups.Select(n => "DG" + n).ToHashSet();

    /// <summary>The data-group numbers of the SOD's hash list, or null when EF.SOD does not parse (passive authentication then says why).</summary>
    public static IReadOnlySet<int>? ListedInSod(byte[] efSod)
    {
        try { return EfSod.Parse(efSod).SecurityObject.DataGroupHashes.Keys.ToHashSet(); }
        catch (EmrtdException) { return null; }
    }

    private static double Ms(Stopwatch watch) => Math.Round(watch.Elapsed.TotalMilliseconds, 1);
}

/// <summary>
/// The raw files of one read (outer tags included; names as in <c>CardReport.FileNames</c>) and the chip's checks.
/// Personal data (DG1, DG2, DG13): keep only while the read is turned into a result; never log.
/// </summary>
public sealed record CardFiles(IReadOnlyDictionary<string, byte[]> Files, ChipChecks Chip, CardReadTimings Timings)
{
    /// <summary>Data groups the SOD lists that the read asked for and the chip did not return, with what it answered instead (no personal data).</summary>
    public IReadOnlyDictionary<string, string> NotReturned { get; init; } = new Dictionary<string, string>();

    /// <summary>False for a saved dump (<c>kioskctl card inspect</c>): no chip to run its checks.</summary>
    public bool ChipPresent { get; init; } = true;

    public override string ToString() => $"CardFiles {{ {string.Join(", ", Files.Keys)} }}";
}

/// <summary>Milliseconds: access control + SELECT, each file read, active and chip authentication.</summary>
public sealed record CardReadTimings(double OpenMs, IReadOnlyDictionary<string, double> FileMs, double ActiveAuthenticationMs, double ChipAuthenticationMs);

/// <summary>Outcomes of the checks that need the chip itself (a dump cannot replay them).</summary>
public sealed record ChipChecks(ChipCheck ChipAuthentication, ChipCheck ActiveAuthentication)
{
    /// <summary>
    /// A saved dump: the checks its files call for are <see cref="ChipCheck.NotPerformed"/> (no chip to ask), those they
    /// do not offer <see cref="ChipCheck.NotSupported"/>, a listed DG14/DG15 missing from the dump <see cref="ChipCheck.NotRead"/>.
    /// </summary>
    public static ChipChecks ForDump(IReadOnlyDictionary<string, byte[]> files, IReadOnlySet<int>? listed)
    {
        ChipCheck chip = files.TryGetValue("DG14", out var dg14)
            ? (CardReader.OffersChipAuthentication(CardDataException.Wrap(() => Dg14.Parse(dg14))) ? ChipCheck.NotPerformed : ChipCheck.NotSupported)
            : listed?.Contains(14) == true ? ChipCheck.NotRead : ChipCheck.NotSupported;
        ChipCheck active = files.ContainsKey("DG15") ? ChipCheck.NotPerformed
            : listed?.Contains(15) == true ? ChipCheck.NotRead : ChipCheck.NotSupported;
        return new ChipChecks(chip, active);
    }
}

/// <summary>
/// What a resident's read keeps: the identity (with its verification) and the DG2 face image. Personal data, held by
/// the session in memory only; the face is never logged and never stored in a dossier.
/// </summary>
public sealed record CardReadResult(CardIdentity Identity, FaceImage? Face)
{
    public override string ToString() => "CardReadResult { personal data }";
}

/// <summary>The verifier's answer: the result for the session, the MRZ and DG13 for the report, passive authentication's details.</summary>
public sealed record CardVerifierResult(CardReadResult Result, Td1Mrz Mrz, Dg13? Dg13, PassiveAuthenticationResult? Passive)
{
    public CardVerification Verification => Result.Identity.Verification!;

    public override string ToString() => "CardVerifierResult { personal data }";
}

/// <summary>
/// Verification of the files of one read: passive authentication (Kiosk.Emrtd: every data group hash against EF.SOD,
/// the SOD's signature, the signer's chain to the trust store at a given time), the chip's checks, and the trust policy
/// (<see cref="CardTrustPolicy"/>) over them, written down as a <see cref="CardVerification"/>. Used by the session,
/// <c>kioskctl card read</c> and <c>kioskctl card inspect</c>.
/// </summary>
public static class CardVerifier
{
    private static readonly IReadOnlyDictionary<string, int> DataGroupNumbers =
        new Dictionary<string, int> { ["DG1"] = 1, ["DG2"] = 2, ["DG13"] = 13, ["DG14"] = 14, ["DG15"] = 15 };

    /// <summary>
    /// The identity (DG13 over DG1), its verification and the first face image of DG2 (null when the card has none or
    /// it does not parse: the face is not needed to file). Also the passive-authentication details for the report.
    /// </summary>
    public static CardVerifierResult Verify(CardFiles read, CscaTrustStore trust, DateTimeOffset now, DateOnly today)
    {
        var files = read.Files;
        if (!files.TryGetValue("DG1", out var dg1Bytes)) throw new CardDataException(CardDataError.Truncated, "DG1 is missing");
        Td1Mrz mrz = CardDataException.Wrap(() => Dg1.Parse(dg1Bytes));
        Dg13? dg13 = files.TryGetValue("DG13", out var dg13Bytes) ? CardDataException.Wrap(() => Dg13.Parse(dg13Bytes)) : null;
        var (passive, verification) = Verification(read, trust, now);
        var identity = CardIdentity.From(mrz, dg13, today) with { Verification = verification };
        return new CardVerifierResult(new CardReadResult(identity, Face(files)), mrz, dg13, passive);
    }

    private static FaceImage? Face(IReadOnlyDictionary<string, byte[]> files)
    {
        if (!files.TryGetValue("DG2", out var dg2)) return null;
        try { return Dg2.Parse(dg2) is [var first, ..] ? first : null; }
        catch (EmrtdException) { return null; }
    }

    /// <summary>Passive authentication (null without EF.SOD), the policy's inputs and its decision, as one record.</summary>
    public static (PassiveAuthenticationResult? Passive, CardVerification Verification) Verification(CardFiles read, CscaTrustStore trust, DateTimeOffset now)
    {
        var files = read.Files;
        var groups = files.Where(f => DataGroupNumbers.ContainsKey(f.Key)).ToDictionary(f => DataGroupNumbers[f.Key], f => f.Value);
        files.TryGetValue("EF.SOD", out var sodBytes);
        EfSod? sod = null;
        PassiveAuthenticationResult? passive = null;
        if (sodBytes is not null)
        {
            try { sod = EfSod.Parse(sodBytes); } catch (EmrtdException) { }
            try { passive = PassiveAuthenticator.Verify(sodBytes, groups, trust, now); }
            catch (EmrtdException e) { passive = new PassiveAuthenticationResult(PassiveAuthenticationStatus.Invalid, [e.Message], [], null, null); }
        }
        IReadOnlySet<int> listed = sod?.SecurityObject.DataGroupHashes.Keys.ToHashSet() ?? [];
        var notReturned = read.NotReturned.Keys.Where(DataGroupNumbers.ContainsKey).Select(n => DataGroupNumbers[n]).ToHashSet();
        // A dump holds what was saved: a listed chip-check file missing from it counts as not returned.
        if (!read.ChipPresent)
            foreach (int n in new[] { 1, 13, 14, 15 })
                if (listed.Contains(n) && !groups.ContainsKey(n)) notReturned.Add(n);
        PassiveCheck passiveCheck = passive?.Status switch
        {
            PassiveAuthenticationStatus.Valid => PassiveCheck.Valid,
            PassiveAuthenticationStatus.Untrusted => PassiveCheck.Untrusted,
            _ => PassiveCheck.Invalid,
        };
        var decision = CardTrustPolicy.Decide(new CardTrustInput
        {
            PassiveAuthentication = passiveCheck,
            SecurityObjectPresent = sodBytes is not null,
            ListedDataGroups = listed,
            ReadDataGroups = groups.Keys.ToHashSet(),
            NotReturned = notReturned,
            ChipAuthentication = read.Chip.ChipAuthentication,
            ActiveAuthentication = read.Chip.ActiveAuthentication,
            ChipPresent = read.ChipPresent,
        });
        var verification = new CardVerification
        {
            Trust = decision.Trust,
            Reasons = [.. decision.Reasons],
            PassiveAuthentication = passiveCheck,
            PassiveAuthenticationFailures = passive is null ? ["EF.SOD is missing: the data cannot be verified"] : [.. passive.Failures],
            ChipAuthentication = read.Chip.ChipAuthentication,
            ActiveAuthentication = read.Chip.ActiveAuthentication,
            DataGroupsListed = [.. listed.Order()],
            DataGroupsRead = [.. groups.Keys.Order()],
            DataGroupsNotReturned = [.. notReturned.Order()],
            SodDigestAlgorithm = sod is null ? null : DigestName(sod.SecurityObject),
            SodSha256 = sodBytes is null ? null : Convert.ToHexStringLower(SHA256.HashData(sodBytes)),
            DocumentSignerIssuer = passive?.DocumentSignerIssuer,
            DocumentSignerSerialNumber = passive?.DocumentSignerSerialNumber,
        };
        return (passive, verification);
    }

    private static string DigestName(LdsSecurityObject security) => security.HashAlgorithmName?.Name switch
    {
        "SHA1" => "SHA-1",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
        _ => security.HashAlgorithm.Oid,
    };
}

/// <summary>
/// The CSCA trust store the host is configured with (<c>--csca DIR</c>: PEM, DER or <c>.ml</c> master lists). Loaded for
/// each read, so certificates added to the folder count at once; no folder (or an unreadable one) is an empty store,
/// and passive authentication then answers <c>untrusted</c>.
/// </summary>
public static class CscaTrust
{
    public const string ConfigurationKey = "csca";

    public static string? Folder(IConfiguration configuration) => configuration[ConfigurationKey];

    public static CscaTrustStore Load(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder)) return CscaTrustStore.Empty();
        try { return CscaTrustStore.FromFolder(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return CscaTrustStore.Empty(); }
    }
}
