using Kiosk.DeviceContract;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Receipts;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;

namespace Kiosk.Host.Filing;

public enum PrintOutcome { Printed, PaperOut, CoverOpen, PrinterError, Unavailable }

public sealed record FilingResult(
    Guid LocalReference,
    string State,
    string? DossierCode,
    int? PortalStatus,
    DateTime? Deadline,
    PrintOutcome Print,
    string Procedure = ResidenceNotification.Procedure,
    bool StaffVerification = false);

/// <summary>
/// Submits a validated filing: dossier + outbox in one transaction → wake the relay → wait briefly for the portal
/// code → print the receipt (with the code, or the pending wording).
/// </summary>
public sealed class FilingService(
    KioskStore store, OutboxRelay relay, IFirmwareLink firmware, HostOptions options, TimeProvider clock, ILogger<FilingService> log,
    FaceAttachments faces)
{
    public TimeSpan WaitForPortal { get; init; } = TimeSpan.FromSeconds(3);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The foundation's residence notification path (the card holder stays).</summary>
    public Task<FilingResult> SubmitAsync(CardIdentity person, ConsentRecord consent, ValidResidenceNotification form, CancellationToken ct)
    {
        var json = new JsonObject
        {
            ["person"] = ServiceForms.Person(person),
            ["stayAddress"] = new JsonObject
            {
                ["addressLine"] = form.AddressLine, ["wardCode"] = form.Ward.Code, ["ward"] = form.Ward.Name,
                ["provinceCode"] = form.Province.Code, ["province"] = form.Province.Name,
            },
            ["fromDate"] = form.FromDate.ToString("yyyy-MM-dd"),
            ["toDate"] = form.ToDate.ToString("yyyy-MM-dd"),
            ["reason"] = form.Reason,
        };
        return SubmitAsync(person, [consent], new ValidFiling(ResidenceNotification.Procedure, ResidenceNotification.TitleVi, json,
            NotificationDeadline.For(form.FromDate, form.Arrival)), ct);
    }

    /// <summary>
    /// Any of the five services. <paramref name="consents"/>: the first is the chip-reading consent (kept on the dossier
    /// record); all of them (chip, fingerprint) travel in the dossier JSON.
    /// </summary>
    /// <param name="face">The chip's face image for a VNeID dossier: held in memory only (<see cref="FaceAttachments"/>)
    /// until the relay delivers the dossier with it, never stored.</param>
    /// <remarks>
    /// The dossier carries the read's verification record (<see cref="CardVerification"/>: no personal data, no
    /// biometrics), in the portal body and on the stored dossier; a card that is not verified (untrusted) is filed marked
    /// for staff verification at the counter, and the receipt says so. A refused card never gets here.
    /// </remarks>
    public async Task<FilingResult> SubmitAsync(CardIdentity person, IReadOnlyList<ConsentRecord> consents, ValidFiling filing, CancellationToken ct,
        Kiosk.Emrtd.Lds.FaceImage? face = null)
    {
        var verification = person.Verification ?? throw new InvalidOperationException("a dossier needs the card's verification record");
        if (verification.Trust == CardTrust.Refused) throw new InvalidOperationException("a refused card is never filed");
        var consent = consents[0];
        var now = clock.GetUtcNow();
        var id = Guid.NewGuid();
        var body = JsonSerializer.Serialize(new
        {
            procedure = filing.Procedure,
            kioskId = options.EffectiveKioskId,
            submittedAt = now,
            localReference = id,
            consent = new { purpose = consent.Purpose, givenAt = consent.GivenAt },
            consents = consents.Select(c => new { purpose = c.Purpose, givenAt = c.GivenAt, language = c.Language }).ToList(),
            verification,
            form = filing.Form,
        }, Json);

        var dossier = new Dossier
        {
            Id = id,
            Procedure = filing.Procedure,
            CreatedAt = now.UtcDateTime,
            FormJson = body,
            Consent = consent,
            Verification = verification,
            State = DossierState.Saved,
        };
        var entry = new OutboxEntry
        {
            Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = now.UtcDateTime, NextAttemptAt = now.UtcDateTime,
            ExpectsFaceImage = filing.Procedure == Services.VneidHelp,
        };
        // Before the save, so the relay woken by it finds the image; an image that is not JPEG/JPEG 2000 or too large is
        // not held, and the dossier goes marked "take the face image at the counter".
        if (entry.ExpectsFaceImage && face is not null)
            faces.Put(id, face.Format switch
            {
                Kiosk.Emrtd.Lds.FaceImageFormat.Jpeg => FaceAttachments.Jpeg,
                Kiosk.Emrtd.Lds.FaceImageFormat.Jpeg2000 => FaceAttachments.Jpeg2000,
                _ => "unknown",
            }, face.Data);

        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDelivered(Guid d) { if (d == id) delivered.TrySetResult(); }
        relay.Delivered += OnDelivered;
        try
        {
            try { store.SaveNew(dossier, entry); }
            catch { faces.Remove(id); throw; }
            log.LogInformation("Saved dossier {Ref}", id.ToString("N")[..8]);
            relay.Wake();
            await Task.WhenAny(delivered.Task, Task.Delay(WaitForPortal, clock, ct));
        }
        finally
        {
            relay.Delivered -= OnDelivered;
        }

        var saved = store.FindDossier(id) ?? dossier;
        var receipt = Receipt.Build(new ReceiptData(
            filing.TitleVi,
            saved.PortalCode,
            id.ToString("N"),
            now,
            options.Ward,
            Receipt.Initials(person.FullName),
            IdNumberRules.Mask(person.IdNumber),
            verification.StaffVerification));
        var print = await PrintAsync(receipt, ct);
        if (verification.StaffVerification) log.LogInformation("Dossier {Ref} marked for staff verification at the counter", id.ToString("N")[..8]);

        return new FilingResult(id, saved.State == DossierState.Delivered ? "delivered" : "saved", saved.PortalCode, saved.PortalStatus, filing.Deadline, print,
            filing.Procedure, verification.StaffVerification);
    }

    public async Task<PrintOutcome> PrintAsync(byte[] job, CancellationToken ct)
    {
        var snapshot = firmware.Snapshot;
        if (!snapshot.BrokerConnected || snapshot.Status is not { Online: true }) return PrintOutcome.Unavailable;
        try
        {
            var reply = await firmware.RequestAsync(TopicKind.PrintCommand, job, MqttFirmwareLink.PrintTimeout, ct);
            var outcome = reply.Code switch
            {
                ReplyResult.Ok => PrintOutcome.Printed,
                ReplyResult.PaperOut => PrintOutcome.PaperOut,
                ReplyResult.CoverOpen => PrintOutcome.CoverOpen,
                _ => PrintOutcome.PrinterError,
            };
            if (outcome != PrintOutcome.Printed) log.LogWarning("Receipt not printed: {Outcome}", outcome);
            return outcome;
        }
        catch (FirmwareUnavailableException e)
        {
            log.LogWarning("Receipt not printed: {Reason}", e.Message);
            return PrintOutcome.Unavailable;
        }
    }

    public static FieldError Describe(PrintOutcome outcome) => outcome switch
    {
        PrintOutcome.Printed => new("print.printed"),
        PrintOutcome.PaperOut => new("print.paper-out"),
        PrintOutcome.CoverOpen => new("print.cover-open"),
        PrintOutcome.PrinterError => new("print.error"),
        _ => new("print.unavailable"),
    };
}
