using System.Net.Http.Json;
using System.Text.Json;

namespace Kiosk.Ctl;

/// <summary>The answer of one call to the host: HTTP status and JSON body, or null when the host could not be reached.</summary>
public sealed record HostAnswer(int StatusCode, JsonElement Body);

/// <summary>Shared HTTP plumbing for the commands: <c>--host URL</c>, <c>--timeout SECONDS</c>, clear errors.</summary>
public static class HostApi
{
    public static readonly IReadOnlySet<string> CommonOptions = new HashSet<string> { "host", "json", "timeout" };

    public static void CheckOptions(CommandLine line, params string[] extra)
    {
        foreach (var name in line.Names)
            if (!CommonOptions.Contains(name) && !extra.Contains(name)) throw new UsageException($"unknown option --{name}");
    }

    public static Uri BaseUri(CommandLine line)
    {
        var host = line.Get("host", Cli.DefaultHost).TrimEnd('/');
        if (!Uri.TryCreate(host, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new UsageException($"--host must be an http(s) URL, got '{host}'");
        return baseUri;
    }

    public static TimeSpan Timeout(CommandLine line, string fallback = "10") =>
        double.TryParse(line.Get("timeout", fallback), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new UsageException("--timeout must be a positive number of seconds");

    /// <summary>GET or POST (with a JSON body) to the host. Null (and a message on <paramref name="error"/>) when unreachable.</summary>
    public static async Task<HostAnswer?> CallAsync(CommandLine line, HttpMethod method, string path, object? body, TextWriter error, CancellationToken ct)
    {
        var baseUri = BaseUri(line);
        try
        {
            using var http = new HttpClient { Timeout = Timeout(line) };
            using var request = new HttpRequestMessage(method, new Uri(baseUri, path));
            if (body is not null) request.Content = JsonContent.Create(body);
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonElement json;
            try
            {
                using var doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
                json = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                error.WriteLine($"kioskctl: the host at {baseUri} answered {path} with something that is not JSON (HTTP {(int)response.StatusCode})");
                return null;
            }
            return new HostAnswer((int)response.StatusCode, json);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error.WriteLine($"kioskctl: cannot reach the kiosk host at {baseUri} ({(e is TaskCanceledException ? "timed out" : e.Message)})");
            error.WriteLine("Is Kiosk.Host running? The maintenance API answers on the kiosk itself only (127.0.0.1).");
            return null;
        }
    }

    public static string Str(JsonElement e, string name, string fallback = "-") =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())
            : fallback;

    /// <summary>Prints an error answer (<c>{"error","message"}</c>) and returns the exit code for it.</summary>
    public static int Refused(HostAnswer answer, string path, TextWriter error)
    {
        error.WriteLine($"kioskctl: {path}: HTTP {answer.StatusCode} {Str(answer.Body, "error", "")} {Str(answer.Body, "message", "")}".TrimEnd());
        return answer.StatusCode == 403 ? ExitCodes.Unreachable : ExitCodes.Degraded;
    }
}

/// <summary><c>kioskctl sync status</c>: outbox counts, oldest pending age, last success and error.</summary>
public sealed class SyncStatusCommand : ICommand
{
    public IReadOnlyList<string> Words { get; } = ["sync", "status"];
    public string Summary => "outbox: pending, leased, dead letters by reason, oldest pending age, last success/error, failures in a row, next attempt";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        HostApi.CheckOptions(line);
        var answer = await HostApi.CallAsync(line, HttpMethod.Get, "/api/maintenance/sync", null, error, ct);
        if (answer is null) return ExitCodes.Unreachable;
        if (answer.StatusCode != 200) return HostApi.Refused(answer, "/api/maintenance/sync", error);
        var s = answer.Body;
        if (line.Has("json")) output.WriteLine(s.GetRawText());
        else
        {
            output.WriteLine($"Portal         {HostApi.Str(s, "portal")}");
            output.WriteLine($"Pending        {HostApi.Str(s, "pending")} (leased {HostApi.Str(s, "leased")}), oldest {HostApi.Str(s, "oldestPendingSeconds")} s");
            output.WriteLine($"Dead letters   {HostApi.Str(s, "deadLetter")}");
            if (s.TryGetProperty("deadLetterReasons", out var reasons) && reasons.ValueKind == JsonValueKind.Object)
                foreach (var reason in reasons.EnumerateObject())
                    output.WriteLine($"  {reason.Value.GetRawText(),5} × {reason.Name}");
            output.WriteLine($"Last success   {HostApi.Str(s, "lastSuccessAt")}");
            output.WriteLine($"Last error     {HostApi.Str(s, "lastError")} ({HostApi.Str(s, "lastErrorKind")}) at {HostApi.Str(s, "lastErrorAt")}");
            output.WriteLine($"Failures       {HostApi.Str(s, "consecutiveFailures", "0")} failed passes in a row");
            output.WriteLine($"Next attempt   {HostApi.Str(s, "nextAttemptAt")}");
            if (HostApi.Str(s, "pausedUntil") is var p && p != "-") output.WriteLine($"Paused until   {p}");
        }
        var dead = s.TryGetProperty("deadLetter", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : 0;
        return dead > 0 || HostApi.Str(s, "portal") == "unreachable" ? ExitCodes.Degraded : ExitCodes.Ok;
    }
}

/// <summary><c>kioskctl sync now</c>: wakes the relay (ends a backoff pause, makes every waiting entry due).</summary>
public sealed class SyncNowCommand : ICommand
{
    public IReadOnlyList<string> Words { get; } = ["sync", "now"];
    public string Summary => "deliver the outbox now (ends the backoff pause)";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        HostApi.CheckOptions(line);
        var answer = await HostApi.CallAsync(line, HttpMethod.Post, "/api/maintenance/sync/now", new { }, error, ct);
        if (answer is null) return ExitCodes.Unreachable;
        if (answer.StatusCode is not (200 or 202)) return HostApi.Refused(answer, "/api/maintenance/sync/now", error);
        output.WriteLine(line.Has("json") ? answer.Body.GetRawText() : $"Relay woken; {HostApi.Str(answer.Body, "madeDue", "0")} waiting entries made due.");
        return ExitCodes.Ok;
    }
}

/// <summary>
/// <c>kioskctl sync requeue (--reason TEXT | --all) [--dry-run]</c>: once the cause of a refusal is fixed (e.g. the
/// kiosk's client certificate), the matching dead letters go back to the outbox with the same idempotency key and body
/// and a fresh backoff. Prints counts only. Exit codes: 0 done (also when nothing matched); 1 refused by the host;
/// 2 unreachable; 64 usage.
/// </summary>
public sealed class SyncRequeueCommand : ICommand
{
    public IReadOnlyList<string> Words { get; } = ["sync", "requeue"];
    public string Summary => "send dead letters again once their cause is fixed: --reason TEXT (as sync status shows it) or --all; --dry-run";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        HostApi.CheckOptions(line, "reason", "all", "dry-run");
        var reason = line.Has("reason") ? line.Get("reason", "").Trim() : null;
        if (reason is "") throw new UsageException("--reason needs the reason as kioskctl sync status shows it, e.g. --reason \"HTTP 403 kiosk-id-mismatch\"");
        if ((reason is null) == !line.Has("all")) throw new UsageException("give either --reason TEXT or --all");
        var dryRun = line.Has("dry-run");
        var answer = await HostApi.CallAsync(line, HttpMethod.Post, "/api/maintenance/sync/requeue", new { reason, all = line.Has("all"), dryRun }, error, ct);
        if (answer is null) return ExitCodes.Unreachable;
        if (answer.StatusCode != 200) return HostApi.Refused(answer, "/api/maintenance/sync/requeue", error);
        var a = answer.Body;
        if (line.Has("json")) { output.WriteLine(a.GetRawText()); return ExitCodes.Ok; }
        var matched = HostApi.Str(a, "matched", "0");
        output.WriteLine(dryRun
            ? $"Dry run: {matched} dead letters would be requeued; nothing was changed."
            : $"{HostApi.Str(a, "requeued", "0")} dead letters requeued (same idempotency key, backoff reset).");
        if (HostApi.Str(a, "otherKioskId", "0") is var other && other != "0")
            output.WriteLine($"Warning: {other} of them name another kiosk than {HostApi.Str(a, "kioskId")} in their body; the portal will refuse them again.");
        output.WriteLine($"Dead letters left: {HostApi.Str(a, "deadLetterLeft", "?")}");
        if (a.TryGetProperty("deadLetterReasons", out var reasons) && reasons.ValueKind == JsonValueKind.Object)
            foreach (var r in reasons.EnumerateObject())
                output.WriteLine($"  {r.Value.GetRawText(),5} × {r.Name}");
        return ExitCodes.Ok;
    }
}

/// <summary><c>kioskctl dossier list</c>: every dossier at the kiosk, no personal data.</summary>
public sealed class DossierListCommand : ICommand
{
    public IReadOnlyList<string> Words { get; } = ["dossier", "list"];
    public string Summary => "dossiers at this kiosk: reference, procedure, created, state, portal code and status";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        HostApi.CheckOptions(line);
        var answer = await HostApi.CallAsync(line, HttpMethod.Get, "/api/maintenance/dossiers", null, error, ct);
        if (answer is null) return ExitCodes.Unreachable;
        if (answer.StatusCode != 200 || answer.Body.ValueKind != JsonValueKind.Array) return HostApi.Refused(answer, "/api/maintenance/dossiers", error);
        if (line.Has("json")) { output.WriteLine(answer.Body.GetRawText()); return ExitCodes.Ok; }
        output.WriteLine($"{"REFERENCE",-10} {"PROCEDURE",-20} {"CREATED (UTC)",-20} {"STATE",-12} {"PORTAL CODE",-20} STATUS");
        foreach (var d in answer.Body.EnumerateArray())
        {
            var created = DateTime.TryParse(HostApi.Str(d, "createdAt"), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var c)
                ? c.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : HostApi.Str(d, "createdAt");
            output.WriteLine($"{HostApi.Str(d, "localReference"),-10} {HostApi.Str(d, "procedure"),-20} {created,-20} {HostApi.Str(d, "state"),-12} {HostApi.Str(d, "portalCode"),-20} {HostApi.Str(d, "portalStatus")}");
        }
        output.WriteLine($"{answer.Body.GetArrayLength()} dossiers.");
        return ExitCodes.Ok;
    }
}

/// <summary>
/// <c>kioskctl decommission [--yes] [--force]</c>: the host wipes its store irreversibly (files overwritten with random
/// bytes, then deleted) and stops. Asks for confirmation unless <c>--yes</c>. Exit codes: 0 wiped; 1 refused by the
/// host (undelivered dossiers: deliver first or add <c>--force</c>); 2 host unreachable or not on this machine;
/// 3 not confirmed; 64 usage.
/// </summary>
public sealed class DecommissionCommand(TextReader input) : ICommand
{
    public const int NotConfirmed = 3;

    public DecommissionCommand() : this(Console.In) { }

    public IReadOnlyList<string> Words { get; } = ["decommission"];
    public string Summary => "wipe the kiosk's store irreversibly (asks first unless --yes; --force also loses undelivered dossiers)";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        HostApi.CheckOptions(line, "yes", "force");
        var baseUri = HostApi.BaseUri(line);
        if (!line.Has("yes"))
        {
            output.WriteLine($"This destroys every dossier stored by the kiosk host at {baseUri} and its key. It cannot be undone.");
            output.Write("Type 'yes' to continue: ");
            var reply = (await input.ReadLineAsync(ct))?.Trim();
            if (reply is not ("yes" or "YES"))
            {
                error.WriteLine("kioskctl: not confirmed; nothing was wiped");
                return NotConfirmed;
            }
        }
        var answer = await HostApi.CallAsync(line, HttpMethod.Post, "/api/maintenance/decommission",
            new { confirm = "wipe-this-kiosk", force = line.Has("force") }, error, ct);
        if (answer is null) return ExitCodes.Unreachable;
        if (answer.StatusCode == 409)
        {
            error.WriteLine($"kioskctl: refused: {HostApi.Str(answer.Body, "pending", "?")} dossiers still pending and {HostApi.Str(answer.Body, "deadLetter", "?")} dead letters would be lost.");
            error.WriteLine("Deliver them first (kioskctl sync now; kioskctl sync status) or add --force.");
            return ExitCodes.Degraded;
        }
        if (answer.StatusCode != 200) return HostApi.Refused(answer, "/api/maintenance/decommission", error);
        output.WriteLine(line.Has("json") ? answer.Body.GetRawText() : "The store was wiped; the kiosk host is stopping.");
        return ExitCodes.Ok;
    }
}
