using System.Text.Json;
using Kiosk.Simulators.Portal.Faults;

namespace Kiosk.Simulators.Portal.Dossiers;

public sealed record StatusChange(int Status);

/// <summary>The portal API: POST/GET /api/dossiers, GET /api/dossiers/{code}, POST /api/dossiers/{code}/status.</summary>
public static class DossierEndpoints
{
    private const int MaxKeyLength = 255;
    private const int MaxBodyBytes = 256 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/dossiers", Submit);
        app.MapGet("/api/dossiers/{code}", (string code, DossierRepository repo, ConfigurableFaults faults, HttpContext http) =>
        {
            if (faults.IsDown()) { http.Abort(); return Results.Empty; }
            var d = repo.Find(code);
            return d is null
                ? Results.Json(new { error = "not-found", message = "No dossier with this code." }, statusCode: 404)
                : Results.Json(new { code = d.Code, status = d.Status, receivedAt = Utc(d.ReceivedAt) });
        });
        app.MapPost("/api/dossiers/{code}/status", (string code, StatusChange? change, DossierRepository repo, ILoggerFactory loggers) =>
        {
            if (change is null || change.Status is < 1 or > 10)
                return Results.Json(new { error = "bad-status", message = "status must be a lifecycle code 1–10." }, statusCode: 400);
            var d = repo.SetStatus(code, change.Status);
            if (d is null) return Results.Json(new { error = "not-found", message = "No dossier with this code." }, statusCode: 404);
            loggers.CreateLogger("Dossiers").LogInformation("Dossier {Code} moved to status {Status}", d.Code, d.Status);
            return Results.Json(new { code = d.Code, status = d.Status, receivedAt = Utc(d.ReceivedAt) });
        });
        app.MapGet("/api/dossiers", (int? last, DossierRepository repo, HttpContext http) =>
        {
            if (last is null) return Results.Json(repo.All().Select(Listed));
            if (last is < 1 or > 10_000) return Results.Json(new { error = "bad-last", message = "last must be between 1 and 10000." }, statusCode: 400);
            var (newest, total) = repo.Latest(last.Value);
            http.Response.Headers["X-Total-Count"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(newest.Select(Listed));
        });
    }

    private static object Listed(DossierRecord d) => new
    {
        code = d.Code,
        idempotencyKey = d.IdempotencyKey,
        receivedAt = Utc(d.ReceivedAt),
        status = d.Status,
        submissions = d.Submissions,
        procedure = d.Procedure,
        kioskId = d.KioskId,
        clientCertificate = d.ClientCertificate,
    };

    private static async Task Submit(HttpContext http, DossierRepository repo, IFaultPolicy faults, ILoggerFactory loggers, PortalOptions options)
    {
        var log = loggers.CreateLogger("Dossiers");
        var ct = http.RequestAborted;

        // In mutual-TLS mode dossiers arrive only over the HTTPS listener, which has already checked the client
        // certificate against the demo CA during the handshake; the plain listener is for reads and test controls.
        var client = http.Connection.ClientCertificate;
        if (options.MtlsUrl is not null && (!http.Request.IsHttps || client is null))
        {
            await WriteError(http, 403, "mtls-required", "Dossiers are accepted over mutual TLS only.");
            return;
        }
        var clientName = client?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);

        switch (await faults.BeforeAsync(http, ct))
        {
            case FaultDecision.Fail fail:
                if (fail.RetryAfter is { } ra) http.Response.Headers.RetryAfter = ((int)Math.Ceiling(ra.TotalSeconds)).ToString();
                await WriteError(http, fail.StatusCode, "injected-fault", "Fault injected by the simulator.");
                return;
            case FaultDecision.Drop:
                http.Abort();
                return;
            case FaultDecision.Hold hold:
                try { await Task.Delay(hold.Duration, ct); } catch (OperationCanceledException) { }
                http.Abort();
                return;
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength)
        {
            await WriteError(http, 400, "idempotency-key-required", "Header Idempotency-Key is required (1 to 255 characters).");
            return;
        }

        JsonElement body;
        try
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, ct);
            if (buffer.Length > MaxBodyBytes)
            {
                await WriteError(http, 413, "too-large", "Body too large.");
                return;
            }
            using var doc = JsonDocument.Parse(buffer.ToArray());
            body = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            await WriteError(http, 400, "bad-json", "The body is not valid JSON.");
            return;
        }

        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("procedure", out var procedureElement)
            || procedureElement.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(procedureElement.GetString()))
        {
            await WriteError(http, 400, "bad-dossier", "The body must be a JSON object with a \"procedure\".");
            return;
        }

        var procedure = procedureElement.GetString()!;
        string? kioskId = body.TryGetProperty("kioskId", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        var canonical = CanonicalJson.Canonicalize(body);
        var hash = CanonicalJson.Sha256Hex(body);

        SubmitResult Store() => repo.Submit(key, hash, procedure, kioskId, CanonicalJson.Utf8(canonical), Truncate(DateTime.UtcNow), record =>
            (201, JsonSerializer.Serialize(new { code = record.Code, status = record.Status, receivedAt = record.ReceivedAt }, Json)), clientName);
        var result = Store();

        switch (result.Outcome)
        {
            case SubmitOutcome.KeyReusedWithOtherBody:
                log.LogWarning("Idempotency key reused with a different body (dossier {Code})", result.Record.Code);
                await WriteError(http, 422, "idempotency-key-reused", "This Idempotency-Key was already used with a different body.");
                return;
            case SubmitOutcome.Replayed:
                log.LogInformation("Replayed dossier {Code} (submission {N})", result.Record.Code, result.Record.Submissions);
                http.Response.Headers["Idempotent-Replayed"] = "true";
                break;
            default:
                log.LogInformation("Created dossier {Code} for {Procedure}", result.Record.Code, procedure);
                switch (await faults.AfterCommitAsync(http, ct))
                {
                    case FaultDecision.Drop:
                        log.LogInformation("Injected fault: answer for {Code} dropped after commit", result.Record.Code);
                        http.Abort();
                        return;
                    case FaultDecision.Duplicate:
                        // A gateway delivered the same request twice: the second one is a replay of the first answer.
                        var again = Store();
                        log.LogInformation("Injected fault: duplicate delivery of {Code} ({Outcome})", again.Record.Code, again.Outcome);
                        break;
                }
                break;
        }

        http.Response.StatusCode = result.Record.ResponseStatusCode;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(result.Record.ResponseBody, ct);
    }

    /// <summary>LiteDB keeps milliseconds; the first answer must equal what later reads return.</summary>
    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Utc ? t : t.ToUniversalTime();

    private static Task WriteError(HttpContext http, int status, string error, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { error, message });
    }
}
