using System.Text.Json;

namespace Kiosk.Host.Devices;

/// <summary>Result codes of a firmware <c>Reply</c> (docs/mqtt.md).</summary>
public enum ReplyCode : byte
{
    Ok = 0,
    NoCard = 1,
    Timeout = 2,
    DeviceError = 3,
    PaperOut = 4,
    CoverOpen = 5,
    BadRequest = 6,
}

public sealed record FirmwareReply(ReplyCode Code, byte[] Body)
{
    /// <summary>Byte 0 = result code, bytes 1..n = body. An empty payload is malformed.</summary>
    public static FirmwareReply? Parse(ReadOnlySpan<byte> payload) =>
        payload.Length == 0 ? null : new FirmwareReply((ReplyCode)payload[0], payload[1..].ToArray());
}

public sealed record DeviceStatus(bool Online, string? Firmware, string? Reader, string? Fingerprint, string? Printer, long? UptimeSeconds);

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

public enum TopicKind { Unknown, Status, CardEvent, FingerEvent, PrinterState, Reply }

/// <summary>Pure topic and payload parsing for the firmware → host topics.</summary>
public static class DeviceMessages
{
    public static string Prefix(string device) => $"kiosk/v1/{device}/";
    public static string CmdTopic(string device, string command) => $"kiosk/v1/{device}/cmd/{command}";
    public static string ReplyTopic(string device, string requester) => $"kiosk/v1/{device}/reply/{requester}";

    public static TopicKind Classify(string topic, string device, string requester)
    {
        var prefix = Prefix(device);
        if (!topic.StartsWith(prefix, StringComparison.Ordinal)) return TopicKind.Unknown;
        return topic[prefix.Length..] switch
        {
            "status" => TopicKind.Status,
            "event/card" => TopicKind.CardEvent,
            "event/finger" => TopicKind.FingerEvent,
            "state/printer" => TopicKind.PrinterState,
            var rest when rest == "reply/" + requester => TopicKind.Reply,
            _ => TopicKind.Unknown,
        };
    }

    /// <summary>Parses a JSON payload into an event; returns null when the payload is malformed or unknown.</summary>
    public static DeviceEvent? ParseEvent(TopicKind kind, ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            return kind switch
            {
                TopicKind.Status => new DeviceEvent.Status(new DeviceStatus(
                    Bool(root, "online") ?? false, Str(root, "firmware"), Str(root, "reader"), Str(root, "fingerprint"),
                    Str(root, "printer"), root.TryGetProperty("uptimeSeconds", out var u) && u.TryGetInt64(out var up) ? up : null)),
                TopicKind.CardEvent => Str(root, "event") switch
                {
                    "placed" => new DeviceEvent.CardPlaced(Str(root, "protocol")),
                    "removed" => new DeviceEvent.CardRemoved(),
                    _ => null,
                },
                TopicKind.FingerEvent => Str(root, "event") switch
                {
                    "placed" => new DeviceEvent.FingerPlaced(),
                    "removed" => new DeviceEvent.FingerRemoved(),
                    _ => null,
                },
                TopicKind.PrinterState => new DeviceEvent.Printer(new PrinterState(
                    Str(root, "paper") ?? "unknown", Str(root, "cover") ?? "unknown", Bool(root, "online") ?? false)),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
