using System.Text.Json;
using Kiosk.Simulators.Portal.Faults;

namespace Kiosk.Simulators.Portal.Dossiers;

public sealed record StatusChange(int Status);

/// <summary>The portal API: POST/GET /api/dossiers, GET /api/dossiers/{code}, POST /api/dossiers/{code}/status.</summary>
public static class DossierEndpoints
{
    private const int MaxKeyLength = 255;
    private const int MaxBodyBytes = 256 * 1024;
    /// <summary>A chip's face image (DG2) is some 10–30 KB; the kiosk holds at most this much, and so does the portal.</summary>
    public const int MaxFaceImageBytes = 128 * 1024;
    /// <summary>The procedure whose dossiers carry the chip's face image (VNeID level 1).</summary>
    public const string VneidProcedure = "ho-tro-vneid";
    /// <summary>Top-level member that travels beside the dossier and is not part of it (idempotency ignores it).</summary>
    public const string Attachments = "attachments";
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
                : Results.Json(new { code = d.Code, status = d.Status, receivedAt = Utc(d.ReceivedAt), procedure = d.Procedure, verification = Verification(d) });
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
        faceImage = d.FaceImage,
        faceImageFormat = d.FaceImageFormat,
        faceImageSha256 = d.FaceImageSha256,
        faceImageLength = d.FaceImageLength,
        cardTrust = d.CardTrust,
        staffVerification = d.StaffVerification,
        verification = Verification(d),
    };

    /// <summary>The verification record as the kiosk sent it (null when the dossier had none).</summary>
    private static JsonElement? Verification(DossierRecord d)
    {
        if (d.Verification is null) return null;
        using var doc = JsonDocument.Parse(d.Verification);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// The dossier's <c>verification</c> member (the kiosk's record of the card, no personal data): kept as sent, with its
    /// trust outcome and the staff-verification mark; null when absent; 400 when it is not an object.
    /// </summary>
    private static (VerificationReceipt? Receipt, bool Bad) ReadVerification(JsonElement body)
    {
        if (!body.TryGetProperty("verification", out var v) || v.ValueKind == JsonValueKind.Null) return (null, false);
        if (v.ValueKind != JsonValueKind.Object) return (null, true);
        string? trust = v.TryGetProperty("trust", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        bool staff = v.TryGetProperty("staffVerification", out var sv) ? sv.ValueKind == JsonValueKind.True : trust != "verified";
        return (new VerificationReceipt(v.GetRawText(), trust, staff), false);
    }

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

        // The certificate says which kiosk is talking: a dossier must come from the kiosk it names.
        if (clientName is not null && !string.Equals(clientName, kioskId, StringComparison.Ordinal))
        {
            log.LogWarning("Dossier refused: client certificate {Certificate} sent a dossier for kiosk {KioskId}", clientName, kioskId ?? "(none)");
            await WriteProblem(http, 403, "kiosk-id-mismatch", "The dossier's kiosk is not the certificate's kiosk",
                $"The client certificate is issued to \"{clientName}\" but the dossier's kioskId is {(kioskId is null ? "missing" : $"\"{kioskId}\"")}.");
            return;
        }

        var (verification, badVerification) = ReadVerification(body);
        if (badVerification)
        {
            await WriteError(http, 400, "bad-verification", "\"verification\" must be an object (the kiosk's record of the card).");
            return;
        }

        var (face, faceError) = ReadFaceImage(body, procedure);
        if (faceError is { } fe)
        {
            await WriteError(http, fe.Status, fe.Error, fe.Message);
            return;
        }

        // The dossier without its attachments: a retry that lacks the face image (the kiosk restarted) is the same dossier.
        var canonical = CanonicalJson.Canonicalize(body, Attachments);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(canonical));

        SubmitResult Store() => repo.Submit(key, hash, procedure, kioskId, CanonicalJson.Utf8(canonical), Truncate(DateTime.UtcNow), record =>
            (201, record.FaceImage is null
                ? JsonSerializer.Serialize(new { code = record.Code, status = record.Status, receivedAt = record.ReceivedAt }, Json)
                // VNeID: whether the face image came with it; a replay repeats this first answer, so a kiosk that lost the
                // image in a restart learns that the portal has it all the same.
                : JsonSerializer.Serialize(new { code = record.Code, status = record.Status, receivedAt = record.ReceivedAt, faceImage = record.FaceImage }, Json)),
            clientName, face, verification);
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

    private sealed record FaceImageError(int Status, string Error, string Message);

    /// <summary>
    /// Reads <c>attachments.faceImage</c> (<c>{"format":"jpeg"|"jp2","data":BASE64}</c> or null, with
    /// <c>faceImageAtCounter</c>): what the portal keeps of it (state, format, SHA-256, length; never the image), or a
    /// typed error: 400 for a malformed attachment, 413 over <see cref="MaxFaceImageBytes"/>, 422 when the bytes are not
    /// the format's image or the procedure takes no face image. Null receipt for procedures other than VNeID.
    /// </summary>
    private static (FaceImageReceipt? Receipt, FaceImageError? Error) ReadFaceImage(JsonElement body, string procedure)
    {
        JsonElement face = default;
        if (body.TryGetProperty(Attachments, out var attachments))
        {
            if (attachments.ValueKind != JsonValueKind.Object)
                return (null, new(400, "bad-attachments", "\"attachments\" must be an object."));
            attachments.TryGetProperty("faceImage", out face);
        }
        var hasImage = face.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
        if (procedure != VneidProcedure)
            return hasImage ? (null, new(422, "face-image-not-expected", "Only VNeID dossiers carry a face image.")) : (null, null);
        if (!hasImage) return (new FaceImageReceipt("missing"), null);

        if (face.ValueKind != JsonValueKind.Object
            || !face.TryGetProperty("format", out var formatElement) || formatElement.ValueKind != JsonValueKind.String
            || !face.TryGetProperty("data", out var dataElement) || dataElement.ValueKind != JsonValueKind.String)
            return (null, new(400, "bad-face-image", "faceImage must be {\"format\": \"jpeg\" or \"jp2\", \"data\": base64}."));
        var format = formatElement.GetString();
        if (format is not ("jpeg" or "jp2"))
            return (null, new(400, "bad-face-image-format", "faceImage.format must be \"jpeg\" or \"jp2\"."));
        byte[] image;
        try { image = dataElement.GetBytesFromBase64(); }
        catch (FormatException) { return (null, new(400, "bad-face-image", "faceImage.data is not base64.")); }
        try
        {
            if (image.Length == 0) return (null, new(400, "bad-face-image", "faceImage.data is empty."));
            if (image.Length > MaxFaceImageBytes)
                return (null, new(413, "face-image-too-large", $"The face image is larger than {MaxFaceImageBytes} bytes."));
            if (!LooksLike(format, image))
                return (null, new(422, "face-image-unreadable", $"faceImage.data is not a {(format == "jpeg" ? "JPEG" : "JPEG 2000")} image."));
            return (new FaceImageReceipt("received", format, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image)), image.Length), null);
        }
        finally
        {
            Array.Clear(image); // only its hash and length stay
        }
    }

    /// <summary>JPEG: starts FF D8 FF. JPEG 2000: the JP2 signature box or a J2K codestream (FF 4F FF 51).</summary>
    private static bool LooksLike(string format, ReadOnlySpan<byte> image) => format == "jpeg"
        ? image.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        : image.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A])
          || image.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]);

    /// <summary>An RFC 9457 problem document (with the simulator's usual <c>error</c> code beside it).</summary>
    private static Task WriteProblem(HttpContext http, int status, string error, string title, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { type = $"urn:kiosk-portal:problem:{error}", title, status, detail, error },
            (JsonSerializerOptions?)null, "application/problem+json");
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
