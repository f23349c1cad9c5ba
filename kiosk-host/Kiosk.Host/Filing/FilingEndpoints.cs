using System.Globalization;
using System.Text.Json;
using Kiosk.Host.Card;
using Kiosk.Host.Web;

namespace Kiosk.Host.Filing;

public sealed record FingerprintConsentRequest(bool Accepted);

/// <summary>Body of <c>POST /api/session/can</c>: the 6 digits the resident typed.</summary>
public sealed record CanRequest(string? Can)
{
    public override string ToString() => "CanRequest { … }";
}

/// <summary>
/// Body of <c>POST /api/session/mrz</c>: the MRZ details typed instead of the CAN. On a CCCD the document number is
/// the 9 digits at positions 6–14 of the MRZ's first line; the dates as the page shows dates (dd/mm/yyyy).
/// </summary>
public sealed record MrzRequest(string? DocumentNumber, string? DateOfBirth, string? DateOfExpiry)
{
    public override string ToString() => "MrzRequest { … }";
}

/// <summary>Checks the typed MRZ details and turns them into the chip's key fields (dates as YYMMDD).</summary>
public static class MrzEntry
{
    public sealed record Valid(string DocumentNumber, string DateOfBirth, string DateOfExpiry)
    {
        public override string ToString() => "MrzEntry.Valid { … }";
    }

    private static readonly string[] DateFormats = ["d/M/yyyy", "d.M.yyyy", "d-M-yyyy", "yyyy-MM-dd"];

    /// <summary>The details as the chip wants them, or a message key per field (documentNumber, dateOfBirth, dateOfExpiry).</summary>
    public static (Valid? Value, IReadOnlyDictionary<string, FieldError> Errors) Validate(MrzRequest? form, DateOnly today)
    {
        var errors = new Dictionary<string, FieldError>();
        var number = form?.DocumentNumber?.Trim() ?? "";
        if (number.Length == 0) errors["documentNumber"] = new("err.mrz.documentNumber.required");
        else if (number.Length != 9 || !number.All(char.IsAsciiDigit)) errors["documentNumber"] = new("err.mrz.documentNumber.nineDigits");

        var birthText = form?.DateOfBirth?.Trim() ?? "";
        DateOnly? birth = ParseDate(birthText);
        if (birthText.Length == 0) errors["dateOfBirth"] = new("err.dateOfBirth.required");
        else if (birth is null || birth > today) errors["dateOfBirth"] = new("err.dateOfBirth.invalid");

        var expiryText = form?.DateOfExpiry?.Trim() ?? "";
        DateOnly? expiry = ParseDate(expiryText);
        if (expiryText.Length == 0) errors["dateOfExpiry"] = new("err.mrz.dateOfExpiry.required");
        else if (expiry is null) errors["dateOfExpiry"] = new("err.mrz.dateOfExpiry.invalid");
        else if (birth is not null && expiry <= birth) errors["dateOfExpiry"] = new("err.mrz.dateOfExpiry.beforeBirth");

        if (errors.Count > 0) return (null, errors);
        return (new Valid(number, Yymmdd(birth!.Value), Yymmdd(expiry!.Value)), errors);
    }

    private static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static string Yymmdd(DateOnly date) => date.ToString("yyMMdd", CultureInfo.InvariantCulture);
}

/// <summary>The five services on the session API, the service catalogue and the dossier lookup.</summary>
public static class FilingEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app)
    {
        ResidentPage.Map(app);

        app.MapGet("/api/services", (HostOptions options) => Results.Json(ResidentPage.ServiceCatalogue(options)));

        // The CAN (last 6 digits of the 12-digit ID number) for the chip's PACE: validated here, kept in memory for the
        // read only (SessionManager), never logged: the request body is not logged anywhere.
        app.MapPost("/api/session/can", (CanRequest? body, SessionManager m) =>
        {
            var can = body?.Can?.Trim();
            if (!SessionManager.IsValidCan(can))
            {
                var error = new FieldError(string.IsNullOrEmpty(can) ? "err.can.required" : "err.can.sixDigits");
                return Results.Json(new
                {
                    error = "invalid-form",
                    messages = new Dictionary<string, object> { ["can"] = new { key = error.Key, n = error.N } },
                    errors = new Dictionary<string, string> { ["can"] = error.Vi },
                    errorsEn = new Dictionary<string, string> { ["can"] = error.En },
                }, statusCode: 400);
            }
            try { return Results.Json(ApiEndpoints.Describe(m.EnterCan(can!))); }
            catch (SessionConflictException e) { return Results.Json(new { error = "conflict", message = e.Message }, statusCode: 409); }
        });

        // The MRZ details instead of the CAN (a card whose CAN the resident cannot read, or a chip that only has BAC):
        // same step, same count of refusals, same care: validated here, kept in memory for the read only, never logged.
        app.MapPost("/api/session/mrz", (MrzRequest? body, SessionManager m, TimeProvider clock) =>
        {
            var today = DateOnly.FromDateTime(Receipts.VietnamTime.Now(clock).DateTime);
            var (valid, errors) = MrzEntry.Validate(body, today);
            if (valid is null) return InvalidForm(errors);
            try { return Results.Json(ApiEndpoints.Describe(m.EnterMrz(valid.DocumentNumber, valid.DateOfBirth, valid.DateOfExpiry))); }
            catch (SessionConflictException e) { return Results.Json(new { error = "conflict", message = e.Message }, statusCode: 409); }
        });

        // What the page needs about the card besides the session view: the CAN attempts (never the CAN itself).
        app.MapGet("/api/session/card", (SessionManager m) => Results.Json(DescribeCard(m.Current)));

        app.MapPost("/api/session/fingerprint-consent", (FingerprintConsentRequest body, SessionManager m) =>
        {
            try { return Results.Json(ApiEndpoints.Describe(m.AnswerFingerprintConsent(body.Accepted))); }
            catch (SessionConflictException e) { return Results.Json(new { error = "conflict", message = e.Message }, statusCode: 409); }
        });

        app.MapPost("/api/session/submit/{service}", async (string service, JsonElement body, SessionManager m, HttpContext http) =>
        {
            if (Services.Find(service) is null) return Results.Json(new { error = "unknown-service" }, statusCode: 404);
            Func<Card.CardIdentity, DateOnly, (ValidFiling?, IReadOnlyDictionary<string, FieldError>)> validate;
            try
            {
                validate = service switch
                {
                    Services.ResidenceNotification => Bind<ResidenceNotificationForm>(body, (f, p, t) => ServiceForms.ValidateResidenceNotification(f, p, m.Places, t)),
                    Services.TemporaryResidence or Services.PermanentResidence =>
                        Bind<ResidenceRegistrationForm>(body, (f, p, t) => ServiceForms.ValidateRegistration(service, f, p, m.Places, t)),
                    Services.OldIdConfirmation => Bind<OldIdConfirmationForm>(body, (f, p, _) => ServiceForms.ValidateOldIdConfirmation(f, p)),
                    _ => Bind<VneidForm>(body, (f, p, _) => ServiceForms.ValidateVneid(f, p)),
                };
            }
            catch (JsonException)
            {
                return Results.Json(new { error = "bad-request" }, statusCode: 400);
            }
            try
            {
                var (result, errors) = await m.SubmitAsync(service, validate, http.RequestAborted);
                if (result is null)
                    return Results.Json(new
                    {
                        error = "invalid-form",
                        // Per field: the message key (and its number) in wwwroot/i18n, and the texts from those files.
                        messages = errors.ToDictionary(e => e.Key, e => new { key = e.Value.Key, n = e.Value.N }),
                        errors = errors.ToDictionary(e => e.Key, e => e.Value.Vi),
                        errorsEn = errors.ToDictionary(e => e.Key, e => e.Value.En),
                    }, statusCode: 400);
                return Results.Json(ApiEndpoints.Describe(m.Current) with { Result = ApiEndpoints.DescribeResult(result) });
            }
            catch (SessionConflictException e)
            {
                return Results.Json(new { error = "conflict", message = e.Message }, statusCode: 409);
            }
        });

        app.MapGet("/api/lookup/{code}", async (string code, DossierLookup lookup, HttpContext http) =>
        {
            var normalized = DossierLookup.NormalizeCode(code);
            if (normalized is null)
                return LookupError("bad-code", "lookup.badCode", 400);
            try
            {
                var found = await lookup.FindAsync(normalized, http.RequestAborted);
                return found is null
                    ? LookupError("not-found", "lookup.notFound", 404)
                    : Results.Json(found);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                return LookupError("unavailable", "lookup.unavailable", 503);
            }
        });
    }

    /// <summary>
    /// The chip's verification as the read reported it, for the page (no personal data, no reasons): the trust outcome,
    /// whether a dossier goes marked for staff verification, and the checks; null before a read.
    /// </summary>
    public sealed record VerificationView(bool Verified, CardTrust Trust, bool StaffVerification, PassiveCheck PassiveAuthentication,
        ChipCheck ChipAuthentication, ChipCheck ActiveAuthentication);

    public sealed record CardView(bool Active, bool CanEntered, int CanAttemptsLeft, int CanMaxAttempts, VerificationView? Verification = null);

    public static CardView DescribeCard(ResidentSession? s) => s is null
        ? new CardView(false, false, SessionManager.MaxCanAttempts, SessionManager.MaxCanAttempts)
        : new CardView(true, s.AccessKey is not null, Math.Max(0, SessionManager.MaxCanAttempts - s.CanFailures), SessionManager.MaxCanAttempts,
            s.Verification is { } v
                ? new VerificationView(v.Verified, v.Trust, v.StaffVerification, v.PassiveAuthentication, v.ChipAuthentication, v.ActiveAuthentication)
                : null);

    private static IResult InvalidForm(IReadOnlyDictionary<string, FieldError> errors) => Results.Json(new
    {
        error = "invalid-form",
        messages = errors.ToDictionary(e => e.Key, e => new { key = e.Value.Key, n = e.Value.N }),
        errors = errors.ToDictionary(e => e.Key, e => e.Value.Vi),
        errorsEn = errors.ToDictionary(e => e.Key, e => e.Value.En),
    }, statusCode: 400);

    private static IResult LookupError(string error, string key, int status) =>
        Results.Json(new { error, messageKey = key, messageVi = Messages.Text("vi", key), messageEn = Messages.Text("en", key) }, statusCode: status);

    private static Func<Card.CardIdentity, DateOnly, (ValidFiling?, IReadOnlyDictionary<string, FieldError>)> Bind<TForm>(
        JsonElement body, Func<TForm, Card.CardIdentity, DateOnly, (ValidFiling?, IReadOnlyDictionary<string, FieldError>)> validate)
        where TForm : class
    {
        var form = body.Deserialize<TForm>(Json) ?? throw new JsonException("empty form");
        return (person, today) => validate(form, person, today);
    }
}
