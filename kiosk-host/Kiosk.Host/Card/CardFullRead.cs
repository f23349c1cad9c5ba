using System.Diagnostics;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;

namespace Kiosk.Host.Card;

/// <summary>
/// The one full read of a CCCD, shared by the resident session and <c>kioskctl card read</c>: access control, EF.COM,
/// the data groups it lists among DG1, DG2, DG13, DG14, DG15 (DG1 and DG13 when EF.COM is missing), EF.SOD, then active
/// authentication (DG15) and chip authentication (DG14). <see cref="CardVerifier"/> turns the files into an identity
/// with its <see cref="CardVerification"/>.
/// </summary>
public sealed partial class CardReader
{
    /// <summary>The data groups the full read takes when EF.COM lists them, in reading order.</summary>
    public static readonly IReadOnlyList<(string Name, ushort Fid)> OptionalDataGroups =
        [("DG2", FidDg2), ("DG13", FidDg13), ("DG14", FidDg14), ("DG15", FidDg15)];

    /// <summary>
    /// Opens the chip and reads every file the kiosk uses, then runs the chip's own checks. Bounded: each file at most
    /// <see cref="MaxFileLength"/> bytes and <see cref="MaxReadsPerFile"/> reads, seven files at most; the caller's
    /// token bounds the time. DG1 is required; a card without EF.COM, DG2, DG14, DG15 or EF.SOD (the plain old profile)
    /// still reads.
    /// </summary>
    public async Task<CardFiles> ReadAllAsync(CancellationToken ct)
    {
        var step = Stopwatch.StartNew();
        await OpenAsync(ct);
        double openMs = Ms(step);
        var fileMs = new Dictionary<string, double>();
        var files = new Dictionary<string, byte[]>();

        async Task<bool> ReadAsync(string name, ushort fid, bool required)
        {
            step.Restart();
            byte[]? bytes = required ? await ReadLdsFileAsync(fid, ct) : await TryReadLdsFileAsync(fid, ct);
            fileMs[name] = Ms(step);
            if (bytes is null) return false;
            files[name] = bytes;
            return true;
        }

        IReadOnlySet<string>? listed = null;
        if (await ReadAsync("EF.COM", FidCom, required: false)) listed = ListedDataGroups(files["EF.COM"]);
        await ReadAsync("DG1", FidDg1, required: true);
        foreach (var (name, fid) in OptionalDataGroups)
            if (listed is null ? name == "DG13" : listed.Contains(name)) await ReadAsync(name, fid, required: false);
        await ReadAsync("EF.SOD", FidSod, required: false);

        // Active authentication first (under the PACE/BAC keys), then chip authentication, which replaces them: a chip
        // that fails one does not spoil the other.
        step.Restart();
        string active = files.TryGetValue("DG15", out var dg15) ? await ActiveAuthenticateAsync(dg15, files.GetValueOrDefault("DG14"), ct) : NotSupported;
        double activeMs = Ms(step);
        step.Restart();
        string chip = files.TryGetValue("DG14", out var dg14) ? await ChipAuthenticateAsync(dg14, ct) : NotSupported;
        double chipMs = Ms(step);
        return new CardFiles(files, new ChipChecks(chip, active), new CardReadTimings(openMs, fileMs, activeMs, chipMs));
    }

    /// <summary>The full read, verified: the identity with its <see cref="CardIdentity.Verification"/> and the face image.</summary>
    public async Task<CardReadResult> ReadVerifiedAsync(CscaTrustStore trust, DateTimeOffset now, DateOnly today, CancellationToken ct) =>
        CardVerifier.Verify(await ReadAllAsync(ct), trust, now, today).Result;

    /// <summary>The data groups EF.COM lists (tag list 5C: 61 → DG1, 75 → DG2, 6D → DG13, …).</summary>
    public static IReadOnlySet<string> ListedDataGroups(byte[] efCom) =>
        CardDataException.Wrap(() => EfCom.Parse(efCom)).DataGroups.Select(n => "DG" + n).ToHashSet();

    private static double Ms(Stopwatch watch) => Math.Round(watch.Elapsed.TotalMilliseconds, 1);
}

/// <summary>
/// The raw files of one read (outer tags included; names as in <c>CardReport.FileNames</c>) and the chip's checks.
/// Personal data (DG1, DG2, DG13): keep only while the read is turned into a result; never log.
/// </summary>
public sealed record CardFiles(IReadOnlyDictionary<string, byte[]> Files, ChipChecks Chip, CardReadTimings Timings)
{
    public override string ToString() => $"CardFiles {{ {string.Join(", ", Files.Keys)} }}";
}

/// <summary>Milliseconds: access control + SELECT, each file read, active and chip authentication.</summary>
public sealed record CardReadTimings(double OpenMs, IReadOnlyDictionary<string, double> FileMs, double ActiveAuthenticationMs, double ChipAuthenticationMs);

/// <summary>Outcomes of the checks that need the chip itself (a dump cannot replay them): passed, failed, not-supported, not-performed.</summary>
public sealed record ChipChecks(string ChipAuthentication, string ActiveAuthentication)
{
    public static readonly ChipChecks FromDump = new(CardReader.NotPerformed, CardReader.NotPerformed);
}

/// <summary>
/// What a resident's read keeps: the identity (with its verification) and the DG2 face image. Personal data, held by
/// the session in memory only; the face is never logged and never stored in a dossier.
/// </summary>
public sealed record CardReadResult(CardIdentity Identity, FaceImage? Face)
{
    public override string ToString() => "CardReadResult { personal data }";
}

/// <summary>
/// Verification of the files of one read: passive authentication (Kiosk.Emrtd: every data group hash against EF.SOD,
/// the SOD's signature, the signer's chain to the trust store at a given time) and the chip's checks, summed up in a
/// <see cref="CardVerification"/>. Used by the session, <c>kioskctl card read</c> and <c>kioskctl card inspect</c>.
/// </summary>
public static class CardVerifier
{
    private static readonly IReadOnlyDictionary<string, int> DataGroupNumbers =
        new Dictionary<string, int> { ["DG1"] = 1, ["DG2"] = 2, ["DG13"] = 13, ["DG14"] = 14, ["DG15"] = 15 };

    /// <summary>
    /// The identity (DG13 over DG1), its verification and the first face image of DG2 (null when the card has none or
    /// it does not parse: the face is not needed to file). Also the passive-authentication details for the report.
    /// </summary>
    public static (CardReadResult Result, Td1Mrz Mrz, Dg13? Dg13, Dictionary<string, object?> Passive) Verify(
        CardFiles read, CscaTrustStore trust, DateTimeOffset now, DateOnly today)
    {
        var files = read.Files;
        if (!files.TryGetValue("DG1", out var dg1Bytes)) throw new CardDataException(CardDataError.Truncated, "DG1 is missing");
        Td1Mrz mrz = CardDataException.Wrap(() => Dg1.Parse(dg1Bytes));
        Dg13? dg13 = files.TryGetValue("DG13", out var dg13Bytes) ? CardDataException.Wrap(() => Dg13.Parse(dg13Bytes)) : null;
        var passive = PassiveAuthentication(files, trust, now);
        var identity = CardIdentity.From(mrz, dg13, today) with { Verification = Summary(passive, read.Chip) };
        return (new CardReadResult(identity, Face(files)), mrz, dg13, passive);
    }

    private static FaceImage? Face(IReadOnlyDictionary<string, byte[]> files)
    {
        if (!files.TryGetValue("DG2", out var dg2)) return null;
        try { return Dg2.Parse(dg2) is [var first, ..] ? first : null; }
        catch (EmrtdException) { return null; }
    }

    /// <summary>
    /// <c>result</c> valid | invalid (also when EF.SOD is missing) | untrusted, <c>failures</c>, and when the SOD parsed
    /// <c>verifiedDataGroups</c>, <c>documentSigner</c>, <c>csca</c>. No personal data.
    /// </summary>
    public static Dictionary<string, object?> PassiveAuthentication(IReadOnlyDictionary<string, byte[]> files, CscaTrustStore trust, DateTimeOffset now)
    {
        if (!files.TryGetValue("EF.SOD", out var sod))
            return new() { ["result"] = "invalid", ["failures"] = new[] { "EF.SOD is missing: the data cannot be verified" } };
        var groups = files.Where(f => DataGroupNumbers.ContainsKey(f.Key)).ToDictionary(f => DataGroupNumbers[f.Key], f => f.Value);
        PassiveAuthenticationResult result;
        try { result = PassiveAuthenticator.Verify(sod, groups, trust, now); }
        catch (EmrtdException e) { return new() { ["result"] = "invalid", ["failures"] = new[] { e.Message } }; }
        return new()
        {
            ["result"] = result.Status switch
            {
                PassiveAuthenticationStatus.Valid => "valid",
                PassiveAuthenticationStatus.Untrusted => "untrusted",
                _ => "invalid",
            },
            ["failures"] = result.Failures,
            ["notes"] = result.Notes,
            ["verifiedDataGroups"] = result.VerifiedDataGroups,
            ["documentSigner"] = result.DocumentSigner,
            ["csca"] = result.Csca,
        };
    }

    /// <summary>
    /// Verified = passive authentication valid and neither chip nor active authentication failed (a card without DG14 or
    /// DG15, or a saved dump, is judged on passive authentication alone). The reasons name checks, never personal data.
    /// </summary>
    public static CardVerification Summary(IReadOnlyDictionary<string, object?> passive, ChipChecks chip)
    {
        var reasons = new List<string>();
        string result = passive["result"] as string ?? "invalid";
        if (result != "valid") reasons.Add($"passive authentication: {result}");
        if (chip.ChipAuthentication == CardReader.Failed) reasons.Add("chip authentication failed (possible cloned chip)");
        if (chip.ActiveAuthentication == CardReader.Failed) reasons.Add("active authentication failed (possible cloned chip)");
        return new CardVerification(reasons.Count == 0, result, chip.ChipAuthentication, chip.ActiveAuthentication, reasons);
    }
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
