using Kiosk.DeviceContract;
using Kiosk.Host.Card;
using Kiosk.Host.Devices;

namespace Kiosk.Host.Tests.Support;

/// <summary>Stands in for the MQTT link: forwards APDUs to a test card, records print jobs.</summary>
public sealed class FakeFirmwareLink(TestCard card) : IFirmwareLink
{
    public DeviceSnapshot Snapshot { get; set; } =
        new(true, new DeviceStatus(true, "0.1.0", "ok", "ok", "ok", 1), false, false, new PrinterState("ok", "closed", true), null);
    public event Action<DeviceEvent>? Changed;
    public List<byte[]> PrintJobs { get; } = [];
    public ReplyResult PrintReply { get; set; } = ReplyResult.Ok;

    public void Raise(DeviceEvent ev)
    {
        Snapshot = ev switch
        {
            DeviceEvent.CardPlaced => Snapshot with { CardPresent = true },
            DeviceEvent.CardRemoved => Snapshot with { CardPresent = false },
            _ => Snapshot,
        };
        card.Present = Snapshot.CardPresent;
        Changed?.Invoke(ev);
    }

    public async Task<FirmwareReply> RequestAsync(TopicKind command, byte[] payload, TimeSpan timeout, CancellationToken ct)
    {
        if (command == TopicKind.PrintCommand)
        {
            PrintJobs.Add(payload);
            return new FirmwareReply(PrintReply, []);
        }
        try
        {
            return new FirmwareReply(ReplyResult.Ok, await card.TransmitAsync(payload, ct));
        }
        catch (CardUnavailableException)
        {
            return new FirmwareReply(ReplyResult.NoCard, []);
        }
    }
}
