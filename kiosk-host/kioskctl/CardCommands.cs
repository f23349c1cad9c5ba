using System.Text.Encodings.Web;
using System.Text.Json;
using Kiosk.Host.Card;
using Kiosk.Host.Web;

namespace Kiosk.Ctl;

/// <summary>Shared output of <c>card read</c> and <c>card inspect</c>: one JSON object (UTF-8 with diacritics) or lines.</summary>
internal static class CardOutput
{
    public static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // Vietnamese letters as they are, not \\u escapes
        WriteIndented = false,
    };

    public static readonly string[] Labels =
    [
        "idNumber", "documentNumber", "fullName", "dateOfBirth", "sex", "nationality", "ethnicity", "religion",
        "placeOfOrigin", "placeOfResidence", "identifyingMarks", "dateOfIssue", "dateOfExpiry", "fatherName",
        "motherName", "spouseName", "oldIdNumber",
    ];

    public static void Print(JsonElement report, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, Json));
            return;
        }
        foreach (var name in Labels) output.WriteLine($"{name,-18} {HostApi.Str(report, name)}");
        if (report.TryGetProperty("mrz", out var mrz) && mrz.ValueKind == JsonValueKind.Array)
            foreach (var line in mrz.EnumerateArray()) output.WriteLine($"{"mrz",-18} {line.GetString()}");
        if (report.TryGetProperty("passiveAuthentication", out var pa))
        {
            output.WriteLine($"{"passive auth.",-18} {HostApi.Str(pa, "result")}");
            if (pa.TryGetProperty("failures", out var failures) && failures.ValueKind == JsonValueKind.Array)
                foreach (var f in failures.EnumerateArray()) output.WriteLine($"{"",-18} - {f.GetString()}");
            if (pa.TryGetProperty("notes", out var notes) && notes.ValueKind == JsonValueKind.Array)
                foreach (var n in notes.EnumerateArray()) output.WriteLine($"{"",-18} note: {n.GetString()}");
        }
        output.WriteLine($"{"chip auth.",-18} {HostApi.Str(report, "chipAuthentication")}");
        output.WriteLine($"{"active auth.",-18} {HostApi.Str(report, "activeAuthentication")}");
        if (Verification(report) is { } v)
        {
            output.WriteLine($"{"trust",-18} {JsonSerializer.Serialize(v.Trust).Trim('"')}");
            foreach (var reason in v.Reasons) output.WriteLine($"{"",-18} - {JsonSerializer.Serialize(reason).Trim('"')}");
            if (v.DataGroupsNotReturned.Length > 0)
                output.WriteLine($"{"not returned",-18} {string.Join(", ", v.DataGroupsNotReturned.Select(n => "DG" + n))}");
        }
        if (report.TryGetProperty("timings", out var t)) output.WriteLine($"{"timings",-18} {JsonSerializer.Serialize(t, Json)}");
    }

    private static readonly JsonSerializerOptions Read = new(JsonSerializerDefaults.Web);

    /// <summary>The report's verification record (the host's trust policy), or null when it has none.</summary>
    public static CardVerification? Verification(JsonElement report)
    {
        if (!report.TryGetProperty("verification", out var v) || v.ValueKind != JsonValueKind.Object) return null;
        try { return v.Deserialize<CardVerification>(Read); }
        catch (JsonException) { return null; }
    }
}

/// <summary>
/// Exit codes of <c>card read</c> and <c>card inspect</c> once the card was read (or the dump decoded), from the host's
/// trust policy (<see cref="CardTrustPolicy"/>, the report's <c>verification</c>): non-zero whenever the read is not
/// verified. A chip check that failed or could not be completed although the SOD calls for it (DG14 or DG15 listed and
/// not returned, among others) is its own code, whatever passive authentication says: the data may be genuine and still
/// sit on a cloned chip.
/// </summary>
public static class CardExitCodes
{
    /// <summary>Read and verified: passive authentication valid, and every chip check the SOD calls for passed.</summary>
    public const int Verified = ExitCodes.Ok;
    /// <summary>Read, but not verified: passive authentication invalid or untrusted, no SOD, a listed file not returned (also: the card refused or was absent).</summary>
    public const int NotVerified = ExitCodes.Degraded;
    /// <summary>Chip authentication (DG14) or active authentication (DG15) failed or could not be completed: possibly a cloned chip.</summary>
    public const int ChipAuthenticationFailed = 3;
    /// <summary><c>card inspect</c>: passive authentication valid, but the SOD calls for chip checks a saved dump cannot run.</summary>
    public const int ChipNotPresent = 4;

    public static int Of(JsonElement report) => Of(CardOutput.Verification(report));

    public static int Of(CardVerification? verification)
    {
        if (verification is null) return NotVerified;
        if (verification.Trust == CardTrust.Verified) return Verified;
        var decision = new CardTrustDecision(verification.Trust, verification.Reasons);
        if (decision.PossibleClone) return ChipAuthenticationFailed;
        return verification.Reasons.All(r => r == CardTrustReason.ChipNotPresent) ? ChipNotPresent : NotVerified;
    }
}

/// <summary>
/// <c>kioskctl card read [--can NNNNNN | --mrz "MRZ"] [--json]</c>: reads the card on the kiosk's reader through the
/// host (loopback-only API). Exit 0 when read and verified, 1 read but not verified or the card refused / absent,
/// 2 host unreachable, 3 chip or active authentication failed or not completed (possible cloned chip), 64 usage
/// (<see cref="CardExitCodes"/>).
/// </summary>
public sealed class CardReadCommand : ICommand
{
    public IReadOnlyList<string> Words { get; } = ["card", "read"];
    public string Summary => "read the card on the reader (--can NNNNNN | --mrz \"MRZ\"); exit 0 verified, 1 not verified, 3 chip/active auth. failed or missing (clone?)";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        HostApi.CheckOptions(line, "can", "mrz");
        string? can = line.Has("can") ? line.Get("can", "") : null;
        string? mrz = line.Has("mrz") ? line.Get("mrz", "") : null;
        if (can is not null && mrz is not null) throw new UsageException("give either --can or --mrz");
        if (can is not null && (can.Length != 6 || !can.All(char.IsAsciiDigit))) throw new UsageException("--can is 6 digits (the last 6 of the ID number)");
        if (!line.Has("timeout")) line = WithTimeout(line);
        var answer = await HostApi.CallAsync(line, HttpMethod.Post, "/api/maintenance/card/read", new { can, mrz }, error, ct);
        if (answer is null) return ExitCodes.Unreachable;
        if (answer.StatusCode != 200) return HostApi.Refused(answer, "card read", error);
        CardOutput.Print(answer.Body, line.Has("json"), output);
        return CardExitCodes.Of(answer.Body);
    }

    /// <summary>A card read takes longer than a status call: 70 s unless --timeout says otherwise.</summary>
    private static CommandLine WithTimeout(CommandLine line)
    {
        var args = new List<string>();
        foreach (var name in line.Names)
        {
            if (name == "json") { args.Add("--json"); continue; }
            args.Add("--" + name + "=" + line.Get(name, ""));
        }
        args.Add("--timeout=70");
        return CommandLine.Parse(args, new HashSet<string> { "json" });
    }
}

/// <summary>
/// <c>kioskctl card inspect DIR [--trust DIR] [--json]</c>: decodes a saved dump (raw files EF.COM, EF.SOD, DG1, DG2,
/// DG13, DG14, DG15; EF.SOD and DG1 required) offline. Exit codes as <see cref="CardExitCodes"/>: 0 only when verified
/// (a dump whose SOD lists neither a DG14 with a chip-authentication key nor DG15), 4 when passive authentication is
/// valid but the SOD calls for chip checks (<c>not-performed</c>: they need the chip), 1 otherwise, 3 for a listed
/// DG14/DG15 missing from the dump, 64 usage. A master list in the trust folder that does not verify is skipped with a
/// warning on stderr.
/// </summary>
public sealed class CardInspectCommand : ICommand, IPositionalCommand
{
    /// <summary>Larger files are not from a chip: refuse them rather than load them.</summary>
    public const long MaxFileBytes = 1 << 20;

    public IReadOnlyList<string> Words { get; } = ["card", "inspect"];
    public string Summary => "decode a saved card dump DIR (--trust DIR of CSCA certificates, .ml master lists); exit 0 verified, 4 data verified but chip checks need the chip, 1 not";
    public int MaxPositionals => 1;

    public Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        foreach (var name in line.Names)
            if (name is not ("json" or "trust")) throw new UsageException($"unknown option --{name}");
        if (line.Positionals.Count != 1) throw new UsageException("card inspect needs the dump folder: kioskctl card inspect DIR");
        string folder = line.Positionals[0];
        string? trust = line.Has("trust") ? line.Get("trust", "") : null;
        if (!Directory.Exists(folder)) { error.WriteLine($"kioskctl: no folder {folder}"); return Task.FromResult(ExitCodes.Degraded); }
        if (trust is not null && !Directory.Exists(trust)) { error.WriteLine($"kioskctl: no trust folder {trust}"); return Task.FromResult(ExitCodes.Degraded); }

        var files = new Dictionary<string, byte[]>();
        foreach (var name in CardReport.FileNames)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            if (new FileInfo(path).Length > MaxFileBytes) { error.WriteLine($"kioskctl: {name} is larger than {MaxFileBytes} bytes"); return Task.FromResult(ExitCodes.Degraded); }
            files[name] = File.ReadAllBytes(path);
        }
        foreach (var required in new[] { "EF.SOD", "DG1" })
        {
            if (!files.ContainsKey(required)) { error.WriteLine($"kioskctl: {required} is missing in {folder}"); return Task.FromResult(ExitCodes.Degraded); }
        }

        Dictionary<string, object?> report;
        var store = trust is null ? Kiosk.Emrtd.PassiveAuthentication.CscaTrustStore.Empty() : Kiosk.Emrtd.PassiveAuthentication.CscaTrustStore.FromFolder(trust);
        foreach (var warning in store.Warnings) error.WriteLine($"kioskctl: trust folder: {warning}");
        try { report = CardReport.Build(files, store, DateTimeOffset.Now); }
        catch (CardDataException e)
        {
            error.WriteLine($"kioskctl: the dump cannot be decoded: {e.Message}");
            return Task.FromResult(ExitCodes.Degraded);
        }
        JsonElement json = JsonSerializer.SerializeToElement(report, CardEndpoints.ReportJson); // the host's names: one report format
        CardOutput.Print(json, line.Has("json"), output);
        return Task.FromResult(CardExitCodes.Of(json));
    }
}
