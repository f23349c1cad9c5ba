using System.Text.Json.Serialization;

namespace Kiosk.Simulators.Portal.Faults;

/// <summary>
/// The fault settings (<c>GET/PUT /api/faults</c>). Rates are probabilities in [0, 1], drawn per request from one
/// <see cref="Random"/> seeded with <see cref="Seed"/> (same seed, same request order → same faults).
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Every dossier request (POST and status GET) fails to connect: the connection is aborted at once.</summary>
    public bool Down { get; init; }
    /// <summary>Added to each dossier request before anything else.</summary>
    public int LatencyMs { get; init; }
    /// <summary>Extra random latency in [0, latencyJitterMs].</summary>
    public int LatencyJitterMs { get; init; }
    /// <summary>Probability that a submission is answered with <see cref="Status"/> before the store is touched.</summary>
    public double ErrorRate { get; init; }
    /// <summary>The error status: 500, 502, 503, 504, 429, …</summary>
    public int Status { get; init; } = 503;
    /// <summary>Sent as <c>Retry-After</c> (seconds) with 429 and 503 errors when set.</summary>
    public int? RetryAfterSeconds { get; init; }
    /// <summary>Probability that a submission is held for <see cref="HoldMs"/> and then aborted (a client timeout).</summary>
    public double TimeoutRate { get; init; }
    public int HoldMs { get; init; } = 15_000;
    /// <summary>Probability that a new dossier is committed and then the connection is aborted (answer lost).</summary>
    public double DropAfterCommitRate { get; init; }
    /// <summary>Probability that a new submission is processed twice (a duplicate delivery; the second is a replay).</summary>
    public double DuplicateRate { get; init; }
    /// <summary>Seed of the random draws; a PUT re-seeds.</summary>
    public int Seed { get; init; } = 1;

    public static readonly FaultSettings None = new();

    public string? Validate()
    {
        foreach (var (name, rate) in new[] { ("errorRate", ErrorRate), ("timeoutRate", TimeoutRate), ("dropAfterCommitRate", DropAfterCommitRate), ("duplicateRate", DuplicateRate) })
            if (double.IsNaN(rate) || rate is < 0 or > 1) return $"{name} must be between 0 and 1";
        if (LatencyMs is < 0 or > 600_000 || LatencyJitterMs is < 0 or > 600_000) return "latencyMs and latencyJitterMs must be between 0 and 600000";
        if (HoldMs is < 0 or > 600_000) return "holdMs must be between 0 and 600000";
        if (Status is < 400 or > 599) return "status must be an HTTP error status (400–599)";
        if (RetryAfterSeconds is < 0 or > 86_400) return "retryAfterSeconds must be between 0 and 86400";
        return null;
    }
}

/// <summary>Counters of what was injected since the last PUT (for tests and the person running the simulator).</summary>
public sealed record FaultCounters(long Requests, long Down, long Errors, long Timeouts, long DroppedAfterCommit, long Duplicates);

/// <summary>The configurable fault policy behind <c>/api/faults</c>. Thread-safe; no faults until configured.</summary>
public sealed class ConfigurableFaults : IFaultPolicy
{
    private readonly Lock _gate = new();
    private FaultSettings _settings = FaultSettings.None;
    private Random _random = new(FaultSettings.None.Seed);
    private long _requests, _down, _errors, _timeouts, _dropped, _duplicates;

    public FaultSettings Settings { get { lock (_gate) return _settings; } }

    public FaultCounters Counters
    {
        get { lock (_gate) return new(_requests, _down, _errors, _timeouts, _dropped, _duplicates); }
    }

    /// <summary>Replaces the settings, re-seeds the random source and resets the counters.</summary>
    public void Set(FaultSettings settings)
    {
        lock (_gate)
        {
            _settings = settings;
            _random = new Random(settings.Seed);
            _requests = _down = _errors = _timeouts = _dropped = _duplicates = 0;
        }
    }

    /// <summary>True when the portal plays "down" (the caller aborts the connection).</summary>
    public bool IsDown()
    {
        lock (_gate)
        {
            if (!_settings.Down) return false;
            _down++;
            return true;
        }
    }

    public async ValueTask<FaultDecision> BeforeAsync(HttpContext context, CancellationToken ct)
    {
        FaultSettings s;
        int latency;
        FaultDecision decision;
        lock (_gate)
        {
            s = _settings;
            _requests++;
            latency = s.LatencyMs + (s.LatencyJitterMs > 0 ? _random.Next(s.LatencyJitterMs + 1) : 0);
            if (s.Down) { _down++; decision = new FaultDecision.Drop(); }
            else if (Draw(s.TimeoutRate)) { _timeouts++; decision = new FaultDecision.Hold(TimeSpan.FromMilliseconds(s.HoldMs)); }
            else if (Draw(s.ErrorRate))
            {
                _errors++;
                TimeSpan? retryAfter = s.RetryAfterSeconds is { } ra && s.Status is 429 or 503 ? TimeSpan.FromSeconds(ra) : null;
                decision = new FaultDecision.Fail(s.Status, retryAfter);
            }
            else decision = FaultDecision.Pass;
        }
        if (latency > 0 && decision is not FaultDecision.Drop) await Task.Delay(latency, ct);
        return decision;
    }

    public ValueTask<FaultDecision> AfterCommitAsync(HttpContext context, CancellationToken ct)
    {
        lock (_gate)
        {
            if (Draw(_settings.DropAfterCommitRate)) { _dropped++; return ValueTask.FromResult<FaultDecision>(new FaultDecision.Drop()); }
            if (Draw(_settings.DuplicateRate)) { _duplicates++; return ValueTask.FromResult<FaultDecision>(new FaultDecision.Duplicate()); }
            return ValueTask.FromResult(FaultDecision.Pass);
        }
    }

    /// <summary>Draws even when the rate is 0, so a seed gives the same sequence whatever is switched on. Inside the lock.</summary>
    private bool Draw(double rate)
    {
        var x = _random.NextDouble();
        return rate > 0 && x < rate;
    }
}

/// <summary><c>GET/PUT/DELETE /api/faults</c>.</summary>
public static class FaultEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/faults", (ConfigurableFaults faults) => Describe(faults));
        app.MapPut("/api/faults", (FaultSettings? settings, ConfigurableFaults faults) =>
        {
            if (settings is null) return Results.Json(new { error = "bad-settings", message = "A JSON object is required." }, statusCode: 400);
            if (settings.Validate() is { } problem) return Results.Json(new { error = "bad-settings", message = problem }, statusCode: 400);
            faults.Set(settings);
            return Describe(faults);
        });
        app.MapDelete("/api/faults", (ConfigurableFaults faults) => { faults.Set(FaultSettings.None); return Describe(faults); });
    }

    private static IResult Describe(ConfigurableFaults faults) => Results.Json(new { settings = faults.Settings, counters = faults.Counters });
}
