using Kiosk.DeviceContract;

namespace Kiosk.Host.Devices;

/// <summary>A firmware Reply (docs/mqtt.md): the result and, with Ok, the body.</summary>
public sealed record FirmwareReply(ReplyResult Code, byte[] Body)
{
    /// <summary>Null for an empty payload or an unknown result code.</summary>
    public static FirmwareReply? Parse(byte[] payload) =>
        Reply.IsWellFormed(payload) ? new FirmwareReply(Reply.ResultOf(payload), Reply.BodyOf(payload)) : null;
}

/// <summary>The firmware's retained status as the host shows it; the words are the contract's (ok, absent, error, …).</summary>
public sealed record DeviceStatus(
    bool Online, string? Firmware, string? Reader, string? Fingerprint, string? Printer, long? UptimeSeconds,
    string? StartReason = null, long? FreeMemoryBytes = null, long? WifiRssiDbm = null, long? Connections = null);

public sealed record PrinterState(string Paper, string Cover, bool Online);

/// <summary>Something the firmware reported. None carries personal data.</summary>
public abstract record DeviceEvent
{
    public sealed record Status(DeviceStatus Value) : DeviceEvent;
    public sealed record CardPlaced(string? Protocol) : DeviceEvent;
    public sealed record CardRemoved : DeviceEvent;
    public sealed record FingerPlaced : DeviceEvent;
    public sealed record FingerRemoved : DeviceEvent;
    public sealed record Printer(PrinterState Value) : DeviceEvent;
    public sealed record Broker(bool Connected) : DeviceEvent;
}

/// <summary>The host's side of the contract: what it subscribes to and how it reads the firmware's payloads.</summary>
public static class DeviceMessages
{
    /// <summary>
    /// The host's subscriptions: everything the device publishes that is meant for every host (status, events, states)
    /// and the replies addressed to this host (requester = its client id).
    /// </summary>
    public static IReadOnlyList<(string Filter, int Qos)> Subscriptions(string device, string requester) =>
    [
        (Topics.Status(device), Topics.StatusSpec.Qos),
        (Topics.EventsFilter(device), Topics.CardEventSpec.Qos),
        (Topics.StatesFilter(device), Topics.PrinterStateSpec.Qos),
        (Topics.RepliesToFilter(device, requester), Topics.ReplySpec.Qos),
    ];

    /// <summary>Parses a firmware → host JSON payload into an event; null when malformed or not an event topic.</summary>
    public static DeviceEvent? ParseEvent(TopicKind kind, byte[] payload) => kind switch
    {
        TopicKind.Status => DeviceStatusMessage.Parse(payload) is { } status ? new DeviceEvent.Status(ToStatus(status)) : null,
        TopicKind.CardEvent => CardEventMessage.Parse(payload) switch
        {
            null => null,
            { Placed: true } card => new DeviceEvent.CardPlaced(card.Protocol),
            _ => new DeviceEvent.CardRemoved(),
        },
        TopicKind.FingerEvent => FingerEventMessage.Parse(payload) switch
        {
            null => null,
            { Placed: true } => new DeviceEvent.FingerPlaced(),
            _ => new DeviceEvent.FingerRemoved(),
        },
        TopicKind.PrinterState => PrinterStateMessage.Parse(payload) is { } printer
            ? new DeviceEvent.Printer(new PrinterState(Payloads.PaperName(printer.Paper), printer.CoverOpen ? "open" : "closed", printer.Online))
            : null,
        _ => null,
    };

    private static DeviceStatus ToStatus(DeviceStatusMessage m) => new(
        m.Online, m.Firmware,
        Health(m.Reader), Health(m.Fingerprint), Health(m.Printer),
        Known(m.UptimeSeconds),
        m.StartReason == StartReason.Unknown ? null : Payloads.StartReasonName(m.StartReason),
        Known(m.FreeMemoryBytes),
        m.WifiRssiDbm == 0 ? null : m.WifiRssiDbm,
        Known(m.Connections));

    private static string? Health(PeripheralHealth health) => health == PeripheralHealth.Unknown ? null : Payloads.HealthName(health);

    private static long? Known(long value) => value == DeviceStatusMessage.UnknownNumber ? null : value;
}
