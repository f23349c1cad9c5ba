using System.Text.Json;
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
    DateTime Deadline,
    PrintOutcome Print);

/// <summary>
/// Submits a validated filing: dossier + outbox in one transaction → wake the relay → wait briefly for the portal
/// code → print the receipt (with the code, or the pending wording).
/// </summary>
public sealed class FilingService(
    KioskStore store, OutboxRelay relay, IFirmwareLink firmware, HostOptions options, TimeProvider clock, ILogger<FilingService> log)
{
    public TimeSpan WaitForPortal { get; init; } = TimeSpan.FromSeconds(3);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<FilingResult> SubmitAsync(CardIdentity person, ConsentRecord consent, ValidResidenceNotification form, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = Guid.NewGuid();
        var body = JsonSerializer.Serialize(new
        {
            procedure = ResidenceNotification.Procedure,
            kioskId = options.EffectiveKioskId,
            submittedAt = now,
            localReference = id,
            consent = new { purpose = consent.Purpose, givenAt = consent.GivenAt },
            form = new
            {
                person = new
                {
                    fullName = person.FullName,
                    idNumber = person.IdNumber,
                    dateOfBirth = person.DateOfBirth,
                    sex = person.Sex,
                    nationality = person.Nationality,
                },
                stayAddress = new
                {
                    addressLine = form.AddressLine,
                    wardCode = form.Ward.Code,
                    ward = form.Ward.Name,
                    provinceCode = form.Province.Code,
                    province = form.Province.Name,
                },
                fromDate = form.FromDate,
                toDate = form.ToDate,
                reason = form.Reason,
            },
        }, Json);

        var dossier = new Dossier
        {
            Id = id,
            Procedure = ResidenceNotification.Procedure,
            CreatedAt = now.UtcDateTime,
            FormJson = body,
            Consent = consent,
            State = DossierState.Saved,
        };
        var entry = new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = now.UtcDateTime, NextAttemptAt = now.UtcDateTime };

        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDelivered(Guid d) { if (d == id) delivered.TrySetResult(); }
        relay.Delivered += OnDelivered;
        try
        {
            store.SaveNew(dossier, entry);
            log.LogInformation("Saved dossier {Ref}", id.ToString("N")[..8]);
            relay.Wake();
            await Task.WhenAny(delivered.Task, Task.Delay(WaitForPortal, clock, ct));
        }
        finally
        {
            relay.Delivered -= OnDelivered;
        }

        var saved = store.FindDossier(id) ?? dossier;
        var deadline = NotificationDeadline.For(form.FromDate);
        var receipt = Receipt.Build(new ReceiptData(
            ResidenceNotification.TitleVi,
            saved.PortalCode,
            id.ToString("N"),
            now,
            options.Ward,
            Receipt.Initials(person.FullName),
            IdNumberRules.Mask(person.IdNumber)));
        var print = await PrintAsync(receipt, ct);

        return new FilingResult(id, saved.State == DossierState.Delivered ? "delivered" : "saved", saved.PortalCode, saved.PortalStatus, deadline, print);
    }

    public async Task<PrintOutcome> PrintAsync(byte[] job, CancellationToken ct)
    {
        var snapshot = firmware.Snapshot;
        if (!snapshot.BrokerConnected || snapshot.Status is not { Online: true }) return PrintOutcome.Unavailable;
        try
        {
            var reply = await firmware.RequestAsync("print", job, MqttFirmwareLink.PrintTimeout, ct);
            var outcome = reply.Code switch
            {
                ReplyCode.Ok => PrintOutcome.Printed,
                ReplyCode.PaperOut => PrintOutcome.PaperOut,
                ReplyCode.CoverOpen => PrintOutcome.CoverOpen,
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
        PrintOutcome.Printed => new("Đã in biên nhận. Vui lòng nhận biên nhận ở khe máy in.", "Your receipt has been printed."),
        PrintOutcome.PaperOut => new("Máy in hết giấy. Hồ sơ đã được ghi nhận; vui lòng báo cán bộ để lấy biên nhận.", "The printer is out of paper. Your filing is saved; please ask staff for the receipt."),
        PrintOutcome.CoverOpen => new("Nắp máy in đang mở. Hồ sơ đã được ghi nhận; vui lòng báo cán bộ.", "The printer cover is open. Your filing is saved; please tell staff."),
        PrintOutcome.PrinterError => new("Máy in gặp lỗi. Hồ sơ đã được ghi nhận; vui lòng báo cán bộ.", "The printer failed. Your filing is saved; please tell staff."),
        _ => new("Không kết nối được máy in. Hồ sơ đã được ghi nhận; vui lòng ghi lại mã tham chiếu.", "The printer is not reachable. Your filing is saved; please note the reference."),
    };
}
