using System.Text.Json;

namespace Kiosk.Ctl;

/// <summary><c>kioskctl status [--host URL] [--json]</c>: the host's <c>/api/status</c> as a table or JSON.</summary>
public sealed class StatusCommand : ICommand
{
    /// <summary>Component values that count as working.</summary>
    public static readonly IReadOnlySet<string> GoodStates = new HashSet<string> { "connected", "online", "ok", "reachable", "near-end" };

    public IReadOnlyList<string> Words { get; } = ["status"];
    public string Summary => "show the kiosk's components, outbox queue and version";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        foreach (var name in line.Names)
            if (name is not ("host" or "json" or "timeout")) throw new UsageException($"unknown option --{name}");
        var host = line.Get("host", Cli.DefaultHost).TrimEnd('/');
        if (!Uri.TryCreate(host, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new UsageException($"--host must be an http(s) URL, got '{host}'");
        var timeout = TimeSpan.FromSeconds(double.Parse(line.Get("timeout", "5"), System.Globalization.CultureInfo.InvariantCulture));

        string body;
        try
        {
            using var http = new HttpClient { Timeout = timeout };
            using var response = await http.GetAsync(new Uri(baseUri, "/api/status"), ct);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"kioskctl: the host at {host} answered HTTP {(int)response.StatusCode} to /api/status");
                return ExitCodes.Unreachable;
            }
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error.WriteLine($"kioskctl: cannot reach the kiosk host at {host} ({(e is TaskCanceledException ? "timed out" : e.Message)})");
            error.WriteLine("Is Kiosk.Host running? Check the URL given with --host.");
            return ExitCodes.Unreachable;
        }

        JsonElement status;
        try
        {
            using var doc = JsonDocument.Parse(body);
            status = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            error.WriteLine($"kioskctl: the host at {host} returned a status that is not JSON");
            return ExitCodes.Unreachable;
        }

        var down = new List<string>();
        var rows = new List<(string Name, string State)>();
        if (status.TryGetProperty("components", out var components) && components.ValueKind == JsonValueKind.Object)
        {
            foreach (var c in components.EnumerateObject())
            {
                var state = c.Value.ValueKind == JsonValueKind.String ? c.Value.GetString()! : c.Value.ToString();
                rows.Add((c.Name, state));
                if (!GoodStates.Contains(state)) down.Add(c.Name);
            }
        }
        else
        {
            down.Add("components");
        }

        if (line.Has("json"))
        {
            output.WriteLine(body);
        }
        else
        {
            output.WriteLine($"Kiosk   {Str(status, "kioskId")}   host {Str(status, "version")}");
            output.WriteLine();
            output.WriteLine($"{"COMPONENT",-13} STATE");
            foreach (var (name, state) in rows)
                output.WriteLine($"{name,-13} {state}{(GoodStates.Contains(state) ? "" : "   <-- down")}");
            output.WriteLine();
            if (status.TryGetProperty("queue", out var q))
                output.WriteLine($"Outbox        {Num(q, "pending")} pending, oldest {Num(q, "oldestPendingSeconds")} s");
            if (status.TryGetProperty("sync", out var s) && s.TryGetProperty("lastError", out var le) && le.ValueKind == JsonValueKind.String)
                output.WriteLine($"Last error    {le.GetString()}");
            // The CSCA trust store and the chip-trust counters: information for the technician, not a component that is down.
            if (status.TryGetProperty("cardTrust", out var trust) && trust.ValueKind == JsonValueKind.Object)
                output.WriteLine($"Trust store   {Str(trust, "trustStore")}{(trust.TryGetProperty("needsAttention", out var na) && na.ValueKind == JsonValueKind.True ? "   <-- needs attention" : "")}"
                    + $"; cards refused {Num(trust, "refusedCards")}, untrusted {Num(trust, "untrustedCards")} since the host started");
            output.WriteLine(down.Count == 0 ? "All components connected." : $"Down: {string.Join(", ", down)}");
        }
        return down.Count == 0 ? ExitCodes.Ok : ExitCodes.Degraded;
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "?";

    private static string Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetRawText() : "?";
}
