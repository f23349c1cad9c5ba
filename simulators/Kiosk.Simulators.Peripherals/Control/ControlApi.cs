using System.Text.Json;
using Kiosk.Simulators.Peripherals.Pn532;
using Kiosk.Simulators.Peripherals.Printer;
using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.VirtualCard.Profiles;
using Kiosk.Simulators.VirtualCard.Security;

namespace Kiosk.Simulators.Peripherals.Control;

/// <summary>
/// Body of POST /api/card. <c>bitRate</c>: the fastest bit rate the card offers (106, 212, 424, 848; default 106);
/// <c>requireAccessControl</c> (default true, like a real CCCD): the chip needs PACE (CAN/MRZ) or BAC (MRZ) before its
/// files can be read; <c>security</c> (default true): DG2, DG14, DG15 and EF.SOD signed by the test PKI (DATA/pki).
/// Explicit <c>false</c> for both gives the foundation's plain card. <c>fault</c> (implies security):
/// <c>tampered-dg13</c>, <c>unknown-csca</c>, <c>expired-document-signer</c>, <c>cloned-chip</c>,
/// <c>clone-com-without-dg14-dg15</c> (a clone without DG14/DG15 whose EF.COM leaves them out; the SOD lists them) or
/// <c>clone-dg14-dg15-6a82</c> (a clone whose EF.COM and SOD list them, answering 6A82 when they are selected).
/// <c>accessControl</c>: <c>pace</c> (default: EF.CardAccess, PACE with the CAN or MRZ, BAC too) or <c>bac</c> (no
/// EF.CardAccess; BAC with the MRZ only, and GET CHALLENGE refused with 6985 until the eMRTD application is selected).
/// <c>removeAfterApdus</c> (1 or more): card removed mid-read, the card leaves the field once it has answered that many APDUs.
/// </summary>
public sealed record CardRequest(string? Profile, string? Type, int? BitRate = null, bool? RequireAccessControl = null,
    bool? Security = null, string? Fault = null, int? RemoveAfterApdus = null, string? AccessControl = null);

/// <summary>Body of POST /api/printer; a missing field keeps its current value.</summary>
public sealed record PrinterRequest(bool? CoverOpen, string? Paper);

/// <summary>The answer to every bad request: a stable code to test against and a sentence for people.</summary>
public sealed record ApiError(string Error, string Message);

/// <summary>
/// The control page and JSON API on --control-urls (docs/architecture.md): a person, or a test, places cards and
/// fingers, opens the printer cover, and reads the printed receipts.
/// </summary>
public static class ControlApi
{
    private const int MaxBodyBytes = 64 * 1024;

    private static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Results.Content(ControlPage.Html, "text/html; charset=utf-8"));
        app.MapGet("/api/state", (PeripheralState state, DeviceConnections connections) => Results.Ok(StateView(state, connections)));
        app.MapGet("/api/profiles", (PersonProfileStore profiles) => Results.Ok(profiles.All));

        app.MapGet("/api/pki", (CardPkiProvider pki) => Results.Ok(new { trustFolder = pki.TrustFolder, created = Directory.Exists(pki.TrustFolder) }));
        app.MapPost("/api/card", async (HttpRequest request, PeripheralState state, DeviceConnections connections, PersonProfileStore profiles, CardPkiProvider pki) =>
        {
            (CardRequest? body, IResult? error) = await ReadJsonAsync<CardRequest>(request);
            if (error is not null) return error;
            if (string.IsNullOrWhiteSpace(body!.Profile)) return BadRequest("missing-profile", "the body needs \"profile\": one of GET /api/profiles");
            if (!profiles.TryGet(body.Profile, out PersonProfile profile))
                return BadRequest("unknown-profile", $"no profile '{body.Profile}'; GET /api/profiles lists them");
            CardType type;
            switch (body.Type)
            {
                case null or "A" or "a":
                    type = CardType.A;
                    break;
                case "B" or "b":
                    type = CardType.B;
                    break;
                default:
                    return BadRequest("bad-card-type", "\"type\" must be \"A\" or \"B\"");
            }
            int bitRate = body.BitRate ?? AirInterfaceTiming.DefaultBitRateKbps;
            if (!AirInterfaceTiming.IsValidBitRate(bitRate)) return BadRequest("bad-bit-rate", "\"bitRate\" must be 106, 212, 424 or 848");
            CardFault? fault = body.Fault switch
            {
                null or "none" => CardFault.None,
                "tampered-dg13" => CardFault.TamperedDg13,
                "unknown-csca" => CardFault.UnknownCsca,
                "expired-document-signer" => CardFault.ExpiredDocumentSigner,
                "cloned-chip" => CardFault.ClonedChip,
                "clone-com-without-dg14-dg15" => CardFault.ClonedChipComWithoutDg14Dg15,
                "clone-dg14-dg15-6a82" => CardFault.ClonedChipDg14Dg15NotFound,
                _ => null,
            };
            if (fault is null)
                return BadRequest("bad-fault", "\"fault\" must be none, tampered-dg13, unknown-csca, expired-document-signer, cloned-chip, clone-com-without-dg14-dg15 or clone-dg14-dg15-6a82");
            if (body.AccessControl is not (null or "pace" or "bac")) return BadRequest("bad-access-control", "\"accessControl\" must be \"pace\" or \"bac\"");
            if (body.RemoveAfterApdus is < 1) return BadRequest("bad-remove-after-apdus", "\"removeAfterApdus\" must be 1 or more (or absent: the card stays)");
            bool security = (body.Security ?? true) || fault != CardFault.None;
            state.PlaceCard(profile, type, new CardPlacementOptions
            {
                MaxBitRateKbps = bitRate,
                RequireAccessControl = body.RequireAccessControl ?? true,
                BacOnly = body.AccessControl == "bac",
                Security = security ? new CardSecurity(pki.Pki, fault.Value) : null,
                RemoveAfterApdus = body.RemoveAfterApdus,
            });
            return Results.Ok(StateView(state, connections));
        });
        app.MapDelete("/api/card", (PeripheralState state, DeviceConnections connections) =>
        {
            state.RemoveCard();
            return Results.Ok(StateView(state, connections));
        });

        app.MapGet("/api/card/air", (HttpRequest request, PeripheralState state) =>
        {
            CardPlacement? card = state.Card;
            if (card is null) return Results.NotFound(new ApiError("no-card", "no card on the reader"));
            int bitRate = AirInterfaceTiming.DefaultBitRateKbps;
            string? asked = request.Query["bitRate"];
            if (asked is not null && (!int.TryParse(asked, out bitRate) || !AirInterfaceTiming.IsValidBitRate(bitRate)))
                return BadRequest("bad-bit-rate", "\"bitRate\" must be 106, 212, 424 or 848");
            return Results.Ok(AirView(card, asked is null ? null : bitRate));
        });
        app.MapDelete("/api/card/air", (PeripheralState state) =>
        {
            CardPlacement? card = state.Card;
            if (card is null) return Results.NotFound(new ApiError("no-card", "no card on the reader"));
            card.Air.Reset();
            return Results.Ok(AirView(card, null));
        });

        app.MapPost("/api/finger", (PeripheralState state, DeviceConnections connections) =>
        {
            state.FingerPresent = true;
            return Results.Ok(StateView(state, connections));
        });
        app.MapDelete("/api/finger", (PeripheralState state, DeviceConnections connections) =>
        {
            state.FingerPresent = false;
            return Results.Ok(StateView(state, connections));
        });

        app.MapPost("/api/printer", async (HttpRequest request, PeripheralState state, DeviceConnections connections) =>
        {
            (PrinterRequest? body, IResult? error) = await ReadJsonAsync<PrinterRequest>(request);
            if (error is not null) return error;
            PrinterCondition current = state.Printer;
            PaperLevel paper = current.Paper;
            if (body!.Paper is not null)
            {
                PaperLevel? parsed = ParsePaper(body.Paper);
                if (parsed is null) return BadRequest("bad-paper", "\"paper\" must be \"ok\", \"near-end\" or \"out\"");
                paper = parsed.Value;
            }
            state.Printer = new PrinterCondition(body.CoverOpen ?? current.CoverOpen, paper);
            return Results.Ok(StateView(state, connections));
        });

        app.MapGet("/api/receipts", (ReceiptStore receipts) => Results.Ok(receipts.All.Reverse()));
        app.MapDelete("/api/receipts", (ReceiptStore receipts) =>
        {
            receipts.Clear();
            return Results.NoContent();
        });
    }

    private static object StateView(PeripheralState state, DeviceConnections connections)
    {
        CardPlacement? card = state.Card;
        PrinterCondition printer = state.Printer;
        return new
        {
            card = new
            {
                present = card is not null,
                profile = card?.Profile.Id,
                type = card?.Type.ToString(),
                placement = card?.Number,
                bitRate = card?.MaxBitRateKbps,
                requireAccessControl = card?.RequireAccessControl,
                accessControl = card is null ? null : !card.RequireAccessControl ? "none" : card.BacOnly ? "bac" : "pace",
                security = card?.Security is not null,
                fault = card?.Security?.Fault switch
                {
                    null => null,
                    CardFault.TamperedDg13 => "tampered-dg13",
                    CardFault.UnknownCsca => "unknown-csca",
                    CardFault.ExpiredDocumentSigner => "expired-document-signer",
                    CardFault.ClonedChip => "cloned-chip",
                    CardFault.ClonedChipComWithoutDg14Dg15 => "clone-com-without-dg14-dg15",
                    CardFault.ClonedChipDg14Dg15NotFound => "clone-dg14-dg15-6a82",
                    _ => "none",
                },
                removeAfterApdus = card?.RemoveAfterApdus,
            },
            finger = new { present = state.FingerPresent },
            printer = new { coverOpen = printer.CoverOpen, paper = PaperName(printer.Paper), online = !printer.IsOffline },
            connections = new { pn532 = connections.Pn532(), fingerprint = connections.Fingerprint(), printer = connections.Printer() },
        };
    }

    /// <summary>
    /// The air log of the placement since it was placed or last reset: APDU count, bytes each way, the modelled air time
    /// (at the bit rates actually used, activation and PPS included) and, when asked, the same APDUs at another bit rate.
    /// </summary>
    private static object AirView(CardPlacement card, int? bitRate)
    {
        AirSnapshot air = card.Air.Snapshot();
        return new
        {
            placement = card.Number,
            exchanges = air.Exchanges.Count,
            commandBytes = air.CommandBytes,
            responseBytes = air.ResponseBytes,
            airTimeMs = air.AirTime.TotalMilliseconds,
            atBitRate = bitRate is int rate
                ? new { bitRate = rate, airTimeMs = AirInterfaceTiming.Total(air.Exchanges, rate).TotalMilliseconds }
                : null,
        };
    }

    public static string PaperName(PaperLevel paper) => paper switch
    {
        PaperLevel.NearEnd => "near-end",
        PaperLevel.Out => "out",
        _ => "ok",
    };

    private static PaperLevel? ParsePaper(string value) => value switch
    {
        "ok" => PaperLevel.Ok,
        "near-end" => PaperLevel.NearEnd,
        "out" => PaperLevel.Out,
        _ => null,
    };

    private static IResult BadRequest(string code, string message) => Results.BadRequest(new ApiError(code, message));

    /// <summary>Reads a small JSON object body; any problem becomes a 400 with a typed error instead of an exception.</summary>
    private static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpRequest request) where T : class
    {
        if (request.ContentLength > MaxBodyBytes) return (null, BadRequest("body-too-large", $"the body must be under {MaxBodyBytes} bytes"));
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return (null, BadRequest("body-too-large", $"the body must be under {MaxBodyBytes} bytes"));
        }
        if (buffer.Length == 0) return (null, BadRequest("empty-body", "the body must be a JSON object"));
        try
        {
            T? value = JsonSerializer.Deserialize<T>(buffer.ToArray(), RequestJson);
            return value is null ? (null, BadRequest("bad-json", "the body must be a JSON object, not null")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, BadRequest("bad-json", $"the body is not valid JSON for this request: {e.Message}"));
        }
    }
}
