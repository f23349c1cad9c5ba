using System.Diagnostics;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;
using Kiosk.Host.Card;
using Kiosk.Host.Filing;

namespace Kiosk.Host.Web;

/// <summary>Body of <c>POST /api/maintenance/card/read</c>: at most one key; none reads a card without access control.</summary>
public sealed record CardReadRequest(string? Can, string? Mrz);

/// <summary>
/// The technicians' card read (<c>kioskctl card read</c>): <c>POST /api/maintenance/card/read</c>, loopback only. Reads the
/// card on the kiosk's reader with <see cref="CardReader"/> and the given key, outside any resident session (refused
/// while one runs), and answers <see cref="CardReport"/> plus timings. Nothing of the card is logged or kept.
/// </summary>
public static class CardEndpoints
{
    private static readonly SemaphoreSlim OneReadAtATime = new(1, 1);
    /// <summary>Vietnamese letters as UTF-8, not \u escapes (issue 3: "Vietnamese text in UTF-8 with its diacritics").</summary>
    public static readonly System.Text.Json.JsonSerializerOptions ReportJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    public static void Map(WebApplication app)
    {
        // CSCA certificates for passive authentication: --csca DIR (PEM, DER or .ml master lists); none means "untrusted".
        string? cscaFolder = CscaTrust.Folder(app.Configuration);
        app.MapPost("/api/maintenance/card/read", async (HttpContext http, ICardChannel channel, SessionManager sessions, TimeProvider clock, ILoggerFactory loggers) =>
        {
            if (!SyncEndpoints.IsLoopback(http))
                return Results.Json(new { error = "loopback-only", message = "The maintenance API answers on the kiosk itself only." }, statusCode: 403);
            CardReadRequest? body;
            try { body = http.Request.ContentLength == 0 ? null : await http.Request.ReadFromJsonAsync<CardReadRequest>(ReportJson, http.RequestAborted); }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { return Error(400, "bad-json", "The body must be {\"can\":\"NNNNNN\"} or {\"mrz\":\"…\"}."); }
            CardAccessKey? key;
            try { key = KeyFrom(body); }
            catch (ArgumentException e) { return Error(400, "bad-key", e.Message); }
            if (sessions.Current is not null) return Error(409, "session-active", "A resident is using the kiosk; try again when the session has ended.");
            if (!await OneReadAtATime.WaitAsync(0)) return Error(409, "busy", "Another card read is running.");
            var log = loggers.CreateLogger("CardRead");
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                timeout.CancelAfter(ReadTimeout);
                var (dump, timings, chip, notReturned) = await ReadDumpAsync(channel, key, timeout.Token);
                var trust = CscaTrust.Load(cscaFolder);
                var verify = Stopwatch.StartNew();
                var report = CardReport.Build(dump, trust, clock.GetLocalNow(), chip, notReturned);
                timings["verifyMs"] = Ms(verify);
                report["timings"] = timings;
                log.LogInformation("Card read by a technician: {Files} files in {Ms} ms, {Trust}", dump.Count, timings["totalMs"],
                    (report["verification"] as CardVerification)?.Trust);
                return Results.Json(report, ReportJson);
            }
            catch (CardUnavailableException) { return Error(409, "no-card", "No card on the reader, or it was removed during the read."); }
            catch (CardStatusException e) when (e.StatusWord == 0x6300) { return Error(422, "card-refused", "The card refused the key (6300): check the CAN or MRZ."); }
            catch (CardStatusException e) { return Error(502, "card-status", $"The card answered {e.StatusWord:X4} at step '{e.Step}'."); }
            catch (CardDataException e) { return Error(502, "card-data", $"The card's data could not be read: {e.Error}."); }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested) { return Error(504, "timeout", "The card did not finish within 60 s."); }
            finally { OneReadAtATime.Release(); }
        });
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new { error = code, message }, statusCode: status);

    /// <summary>The key from the body: a 6-digit CAN, or a TD1 MRZ (90 characters, or 3 lines of 30).</summary>
    public static CardAccessKey? KeyFrom(CardReadRequest? body)
    {
        if (body is null || (string.IsNullOrWhiteSpace(body.Can) && string.IsNullOrWhiteSpace(body.Mrz))) return null;
        if (!string.IsNullOrWhiteSpace(body.Can) && !string.IsNullOrWhiteSpace(body.Mrz)) throw new ArgumentException("give either a CAN or an MRZ, not both");
        if (!string.IsNullOrWhiteSpace(body.Can)) return CardAccessKey.FromCan(body.Can.Trim());
        Td1Mrz mrz;
        try { mrz = Td1Mrz.Parse(body.Mrz!.Trim().Replace(" ", "")); }
        catch (EmrtdException) { throw new ArgumentException("not a valid TD1 MRZ (length, characters or a check digit)"); }
        return CardAccessKey.FromMrz(mrz.DocumentNumber, mrz.DateOfBirth, mrz.DateOfExpiry);
    }

    /// <summary>
    /// The full read (<see cref="CardReader.ReadAllAsync"/>, the same as a resident's) with its timings in milliseconds:
    /// access control + SELECT, each file, active and chip authentication, total, and the APDUs and bytes on the wire.
    /// </summary>
    public static async Task<(Dictionary<string, byte[]> Dump, Dictionary<string, object> Timings, ChipChecks Chip,
        IReadOnlyDictionary<string, string> NotReturned)> ReadDumpAsync(ICardChannel channel, CardAccessKey? key, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var counting = new CountingChannel(channel);
        var reader = new CardReader(counting, key);
        CardFiles read = await reader.ReadAllAsync(ct);
        var timings = new Dictionary<string, object>
        {
            ["openMs"] = read.Timings.OpenMs,
            ["activeAuthenticationMs"] = read.Timings.ActiveAuthenticationMs,
            ["chipAuthenticationMs"] = read.Timings.ChipAuthenticationMs,
            ["filesMs"] = read.Timings.FileMs,
            ["totalMs"] = Ms(total),
            ["apdus"] = counting.Commands,
            ["bytesSent"] = counting.BytesSent,
            ["bytesReceived"] = counting.BytesReceived,
            ["blockSize"] = reader.CurrentBlockSize,
        };
        return (new Dictionary<string, byte[]>(read.Files), timings, read.Chip, read.NotReturned);
    }

    private static double Ms(Stopwatch watch) => Math.Round(watch.Elapsed.TotalMilliseconds, 1);

    /// <summary>Counts APDUs and bytes on the wire (after secure messaging), for the timings.</summary>
    private sealed class CountingChannel(ICardChannel inner) : ICardChannel
    {
        public int Commands;
        public long BytesSent;
        public long BytesReceived;

        public async Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct)
        {
            Commands++;
            BytesSent += command.Length;
            byte[] response = await inner.TransmitAsync(command, ct);
            BytesReceived += response.Length;
            return response;
        }

        public async Task<IReadOnlyList<byte[]>> TransmitAllAsync(IReadOnlyList<byte[]> commands, CancellationToken ct)
        {
            Commands += commands.Count;
            BytesSent += commands.Sum(c => (long)c.Length);
            IReadOnlyList<byte[]> responses = await inner.TransmitAllAsync(commands, ct);
            BytesReceived += responses.Sum(r => (long)r.Length);
            return responses;
        }
    }
}

/// <summary>
/// The decoded card as <c>kioskctl card read/inspect --json</c> print it (field names as in issue 3): identity from DG13
/// and DG1 (the host's parsers), the MRZ lines, and the verification results. Shared by the host endpoint and kioskctl.
/// </summary>
public static class CardReport
{
    /// <summary>File names of a dump folder, as read from the chip (outer tag included).</summary>
    public static readonly IReadOnlyList<string> FileNames = ["EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG14", "DG15"];

    /// <summary>The data groups EF.COM lists (tag list 5C: 61 → DG1, 75 → DG2, 6D → DG13, …).</summary>
    public static IReadOnlySet<string> ListedDataGroups(byte[] efCom) => CardReader.ListedDataGroups(efCom);

    /// <summary>
    /// Builds the report from the raw files. DG1 is required; the other files are optional. Passive authentication
    /// (Kiosk.Emrtd) checks every data group read against EF.SOD, the SOD's signature and the signer's chain to the
    /// trust store at <paramref name="now"/>: <c>valid</c>, <c>invalid</c> (also when EF.SOD is missing) or <c>untrusted</c>.
    /// Chip and active authentication come from the read; without <paramref name="chip"/> the files are a saved dump
    /// (<see cref="ChipChecks.ForDump"/>: not performed). <c>verification</c> is the trust policy's record, the same as
    /// a resident's read (<see cref="CardVerifier"/>).
    /// </summary>
    public static Dictionary<string, object?> Build(IReadOnlyDictionary<string, byte[]> files, CscaTrustStore trust, DateTimeOffset now,
        ChipChecks? chip = null, IReadOnlyDictionary<string, string>? notReturned = null)
    {
        bool dump = chip is null;
        chip ??= ChipChecks.ForDump(files, files.TryGetValue("EF.SOD", out var sod) ? CardReader.ListedInSod(sod) : null);
        var today = DateOnly.FromDateTime(now.DateTime);
        var read = new CardFiles(files, chip, new CardReadTimings(0, new Dictionary<string, double>(), 0, 0))
        {
            NotReturned = notReturned ?? new Dictionary<string, string>(),
            ChipPresent = !dump,
        };
        var (result, mrz, dg13, passive) = CardVerifier.Verify(read, trust, now, today);
        CardIdentity id = result.Identity;
        CardVerification verification = id.Verification!;
        return new Dictionary<string, object?>
        {
            ["idNumber"] = id.IdNumber,
            ["documentNumber"] = id.DocumentNumber,
            ["fullName"] = id.FullName,
            ["dateOfBirth"] = Date(id.DateOfBirth),
            ["sex"] = id.Sex,
            ["nationality"] = id.Nationality,
            ["ethnicity"] = id.Ethnicity,
            ["religion"] = id.Religion,
            ["placeOfOrigin"] = id.PlaceOfOrigin,
            ["placeOfResidence"] = id.PlaceOfResidence,
            ["identifyingMarks"] = dg13?.IdentifyingMarks,
            ["dateOfIssue"] = Date(id.DateOfIssue),
            ["dateOfExpiry"] = Date(id.DateOfExpiry) ?? id.DateOfExpiryText,
            ["fatherName"] = id.FatherName,
            ["motherName"] = id.MotherName,
            ["spouseName"] = id.SpouseName,
            ["oldIdNumber"] = id.OldIdNumber,
            ["mrz"] = mrz.Lines,
            ["passiveAuthentication"] = Passive(verification, passive),
            ["chipAuthentication"] = chip.ChipAuthentication,
            ["activeAuthentication"] = chip.ActiveAuthentication,
            ["verification"] = verification,
            ["files"] = FileNames.Where(files.ContainsKey).ToArray(),
            ["notReturned"] = read.NotReturned,
        };
    }

    /// <summary>
    /// <c>result</c> valid | invalid (also when EF.SOD is missing) | untrusted, <c>failures</c>, and when the SOD parsed
    /// <c>notes</c>, <c>verifiedDataGroups</c>, <c>documentSigner</c> (subject), <c>documentSignerIssuer</c>,
    /// <c>documentSignerSerialNumber</c>, <c>csca</c>. No personal data.
    /// </summary>
    private static Dictionary<string, object?> Passive(CardVerification verification, Kiosk.Emrtd.PassiveAuthentication.PassiveAuthenticationResult? passive) => new()
    {
        ["result"] = verification.PassiveAuthentication,
        ["failures"] = verification.PassiveAuthenticationFailures,
        ["notes"] = passive?.Notes ?? [],
        ["verifiedDataGroups"] = passive?.VerifiedDataGroups ?? [],
        ["documentSigner"] = passive?.DocumentSigner,
        ["documentSignerIssuer"] = passive?.DocumentSignerIssuer,
        ["documentSignerSerialNumber"] = passive?.DocumentSignerSerialNumber,
        ["csca"] = passive?.Csca,
    };

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
