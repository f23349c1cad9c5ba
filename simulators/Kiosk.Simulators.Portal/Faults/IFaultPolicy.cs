namespace Kiosk.Simulators.Portal.Faults;

/// <summary>What the simulator does to one request, decided before and after the dossier is committed.</summary>
public abstract record FaultDecision
{
    /// <summary>Handle the request normally.</summary>
    public sealed record None : FaultDecision;

    /// <summary>Answer with this status code (e.g. 500, 503, 429) without touching the store.</summary>
    public sealed record Fail(int StatusCode, TimeSpan? RetryAfter = null) : FaultDecision;

    /// <summary>Abort the connection without an answer (after commit: the dossier exists but the client never learns it).</summary>
    public sealed record Drop : FaultDecision;

    /// <summary>Hold the request for this long without answering, then abort it (a timeout as the client sees it).</summary>
    public sealed record Hold(TimeSpan Duration) : FaultDecision;

    /// <summary>After commit: process the same request a second time (a gateway that delivered it twice), then answer.</summary>
    public sealed record Duplicate : FaultDecision;

    public static readonly FaultDecision Pass = new None();
}

/// <summary>
/// The seam for fault injection. <see cref="ConfigurableFaults"/> is the default (no faults until configured through
/// <c>PUT /api/faults</c>); tests can register their own policy through <c>PortalApp.Build(args, services => …)</c>.
/// </summary>
public interface IFaultPolicy
{
    /// <summary>Called before the request is processed. May delay (latency) and/or return a failure.</summary>
    ValueTask<FaultDecision> BeforeAsync(HttpContext context, CancellationToken ct);

    /// <summary>Called after a new dossier has been committed, before the answer is written.</summary>
    ValueTask<FaultDecision> AfterCommitAsync(HttpContext context, CancellationToken ct);
}

public sealed class NoFaults : IFaultPolicy
{
    public ValueTask<FaultDecision> BeforeAsync(HttpContext context, CancellationToken ct) => ValueTask.FromResult(FaultDecision.Pass);
    public ValueTask<FaultDecision> AfterCommitAsync(HttpContext context, CancellationToken ct) => ValueTask.FromResult(FaultDecision.Pass);
}
