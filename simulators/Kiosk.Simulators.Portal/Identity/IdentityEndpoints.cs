using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kiosk.Simulators.Portal.Faults;

namespace Kiosk.Simulators.Portal.Identity;

/// <summary>
/// <c>POST /api/identity/verification-template</c>: the reference a kiosk needs to confirm a resident's identity (a
/// synthetic fingerprint template), over mutual TLS only. The ID number is never logged (only
/// <see cref="IdentityTemplates.PersonRef"/>), and the answer is marked <c>Cache-Control: no-store</c>.
/// </summary>
public static class IdentityEndpoints
{
    private const int MaxBodyBytes = 4 * 1024;

    public static void Map(WebApplication app) => app.MapPost("/api/identity/verification-template", Template);

    private static async Task<IResult> Template(HttpContext http, IdentityTemplates templates, ConfigurableFaults faults, ILoggerFactory loggers, TimeProvider clock)
    {
        var log = loggers.CreateLogger("Identity");
        http.Response.Headers.CacheControl = "no-store";
        var client = http.Connection.ClientCertificate;
        if (!http.Request.IsHttps || client is null)
        {
            log.LogWarning("Verification template refused: not over mutual TLS");
            return Error(403, "mtls-required", "Verification templates are served over mutual TLS only.");
        }
        if (faults.IsDown()) { http.Abort(); return Results.Empty; }
        var kiosk = client.GetNameInfo(X509NameType.SimpleName, false);

        if (http.Request.ContentLength > MaxBodyBytes) return Error(413, "too-large", "The request body is too large.");
        string? idNumber, purpose;
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException();
            idNumber = Text(doc.RootElement, "idNumber");
            purpose = Text(doc.RootElement, "purpose");
        }
        catch (JsonException)
        {
            log.LogInformation("Verification template request from {Kiosk}: bad JSON", kiosk);
            return Error(400, "bad-json", "The body must be a JSON object.");
        }
        if (!IdentityTemplates.IsWellFormed(idNumber))
        {
            log.LogInformation("Verification template request from {Kiosk}: malformed ID number", kiosk);
            return Error(400, "bad-id-number", "idNumber must be 12 digits.");
        }
        if (purpose != IdentityTemplates.Purpose)
        {
            log.LogInformation("Verification template request from {Kiosk}: unsupported purpose", kiosk);
            return Error(400, "bad-purpose", $"purpose must be \"{IdentityTemplates.Purpose}\".");
        }
        var person = templates.PersonRef(idNumber!);
        if (!templates.IsKnown(idNumber!))
        {
            log.LogInformation("Verification template request from {Kiosk} for person {Person}: not known", kiosk, person);
            return Error(404, "not-found", "No person with this ID number.");
        }
        var templateId = Guid.NewGuid().ToString("D");
        var expiresAt = clock.GetUtcNow() + IdentityTemplates.Lifetime;
        log.LogInformation("Verification template {TemplateId} issued to {Kiosk} for person {Person}", templateId, kiosk, person);
        return Results.Json(new
        {
            templateId,
            format = IdentityTemplates.Format,
            finger = IdentityTemplates.Finger,
            template = Convert.ToBase64String(templates.Template(idNumber!)),
            expiresAt = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IResult Error(int status, string error, string message) => Results.Json(new { error, message }, statusCode: status);
}
