namespace Kiosk.DeviceContract
{
    /// <summary>Who publishes on a topic of the contract.</summary>
    public enum Direction
    {
        FirmwareToHost = 0,
        HostToFirmware = 1,
    }

    /// <summary>What a topic of the contract is for; <see cref="Topics.Parse"/> gives it for a concrete topic.</summary>
    public enum TopicKind
    {
        Unknown = 0,
        Status = 1,
        CardEvent = 2,
        FingerEvent = 3,
        PrinterState = 4,
        ApduCommand = 5,
        PrintCommand = 6,
        Reply = 7,
    }

    /// <summary>One row of docs/mqtt.md's topic table: the pattern, who publishes, QoS and the retained flag.</summary>
    public class TopicSpec
    {
        public readonly TopicKind Kind;
        /// <summary>The topic with its placeholders in braces, as the document writes it.</summary>
        public readonly string Pattern;
        public readonly Direction Direction;
        public readonly int Qos;
        public readonly bool Retained;

        public TopicSpec(TopicKind kind, string pattern, Direction direction, int qos, bool retained)
        {
            Kind = kind;
            Pattern = pattern;
            Direction = direction;
            Qos = qos;
            Retained = retained;
        }
    }

    /// <summary>A concrete topic taken apart: its kind, device, and for requests and replies the requester and id.</summary>
    public class ParsedTopic
    {
        public TopicKind Kind;
        public string Device;
        /// <summary>Commands and replies only: the requesting client (the host's client id).</summary>
        public string Requester;
        /// <summary>Commands and replies only: the request id, new for every attempt.</summary>
        public string RequestId;
    }

    /// <summary>
    /// The one MQTT contract between the firmware and the host (docs/mqtt.md), written in the nanoFramework subset so the
    /// device image, the virtual MCU, the host and the broker's ACL all use this file. Requests carry the requester and a
    /// request id in the topic, so the contract needs no MQTT 5 property and works on MQTT 3.1.1 and 5.0 alike.
    /// </summary>
    public static class Topics
    {
        public const string Root = "kiosk/v1";
        public const string Prefix = "kiosk/v1/";
        /// <summary>Device ids, requesters and request ids: letters, digits and '-', at most this long.</summary>
        public const int MaxNameLength = 64;

        public const string ApduCommandName = "apdu";
        public const string PrintCommandName = "print";

        public static readonly TopicSpec StatusSpec = new TopicSpec(TopicKind.Status, "kiosk/v1/{device}/status", Direction.FirmwareToHost, 1, true);
        public static readonly TopicSpec CardEventSpec = new TopicSpec(TopicKind.CardEvent, "kiosk/v1/{device}/event/card", Direction.FirmwareToHost, 1, false);
        public static readonly TopicSpec FingerEventSpec = new TopicSpec(TopicKind.FingerEvent, "kiosk/v1/{device}/event/finger", Direction.FirmwareToHost, 1, false);
        public static readonly TopicSpec PrinterStateSpec = new TopicSpec(TopicKind.PrinterState, "kiosk/v1/{device}/state/printer", Direction.FirmwareToHost, 1, true);
        // Requests and replies are QoS 0, at most once, on purpose: an APDU or a print job must never be carried out twice,
        // and on the kiosk's own broker a message is lost only with its connection, when the host's timeout and its next
        // attempt (a new id) are the recovery. QoS 1 would add four acknowledgements to every APDU of a card read.
        public static readonly TopicSpec ApduCommandSpec = new TopicSpec(TopicKind.ApduCommand, "kiosk/v1/{device}/cmd/apdu/{requester}/{id}", Direction.HostToFirmware, 0, false);
        public static readonly TopicSpec PrintCommandSpec = new TopicSpec(TopicKind.PrintCommand, "kiosk/v1/{device}/cmd/print/{requester}/{id}", Direction.HostToFirmware, 0, false);
        public static readonly TopicSpec ReplySpec = new TopicSpec(TopicKind.Reply, "kiosk/v1/{device}/reply/{requester}/{id}", Direction.FirmwareToHost, 0, false);

        /// <summary>Every topic of the contract, in the document's order.</summary>
        public static TopicSpec[] All()
        {
            return new TopicSpec[] { StatusSpec, CardEventSpec, FingerEventSpec, PrinterStateSpec, ApduCommandSpec, PrintCommandSpec, ReplySpec };
        }

        public static TopicSpec SpecOf(TopicKind kind)
        {
            TopicSpec[] all = All();
            for (int i = 0; i < all.Length; i++)
            {
                if (all[i].Kind == kind) return all[i];
            }
            return null;
        }

        public static string Status(string device) { return Prefix + device + "/status"; }
        public static string CardEvent(string device) { return Prefix + device + "/event/card"; }
        public static string FingerEvent(string device) { return Prefix + device + "/event/finger"; }
        public static string PrinterState(string device) { return Prefix + device + "/state/printer"; }
        public static string ApduCommand(string device, string requester, string id) { return Prefix + device + "/cmd/" + ApduCommandName + "/" + requester + "/" + id; }
        public static string PrintCommand(string device, string requester, string id) { return Prefix + device + "/cmd/" + PrintCommandName + "/" + requester + "/" + id; }
        public static string Reply(string device, string requester, string id) { return Prefix + device + "/reply/" + requester + "/" + id; }

        /// <summary>The topic of a command by its kind (ApduCommand or PrintCommand).</summary>
        public static string Command(TopicKind kind, string device, string requester, string id)
        {
            return kind == TopicKind.PrintCommand ? PrintCommand(device, requester, id) : ApduCommand(device, requester, id);
        }

        // Subscription filters and ACL grants. Methods ending in "Filter" build filters, never topics.

        /// <summary>What the firmware subscribes to: every command for it. The broker lets a device subscribe to nothing else.</summary>
        public static string CommandsFilter(string device) { return Prefix + device + "/cmd/#"; }
        public static string EventsFilter(string device) { return Prefix + device + "/event/#"; }
        public static string StatesFilter(string device) { return Prefix + device + "/state/#"; }
        /// <summary>Every reply of a device, to any requester: the device's publish grant.</summary>
        public static string RepliesFilter(string device) { return Prefix + device + "/reply/#"; }
        /// <summary>The replies meant for one requester: what the host subscribes to.</summary>
        public static string RepliesToFilter(string device, string requester) { return Prefix + device + "/reply/" + requester + "/+"; }
        /// <summary>Every topic of the contract, every device.</summary>
        public static string EverythingFilter() { return Prefix + "#"; }

        /// <summary>
        /// Takes a topic of the contract apart. Returns null for anything else: another root, a device id, requester or
        /// request id that is not a valid name, an unknown command, extra or missing levels.
        /// </summary>
        public static ParsedTopic Parse(string topic)
        {
            if (topic == null || !topic.StartsWith(Prefix)) return null;
            string[] levels = topic.Substring(Prefix.Length).Split('/');
            if (levels.Length < 2 || !IsValidName(levels[0])) return null;
            ParsedTopic parsed = new ParsedTopic();
            parsed.Device = levels[0];
            string first = levels[1];
            if (levels.Length == 2 && first == "status") parsed.Kind = TopicKind.Status;
            else if (levels.Length == 3 && first == "event" && levels[2] == "card") parsed.Kind = TopicKind.CardEvent;
            else if (levels.Length == 3 && first == "event" && levels[2] == "finger") parsed.Kind = TopicKind.FingerEvent;
            else if (levels.Length == 3 && first == "state" && levels[2] == "printer") parsed.Kind = TopicKind.PrinterState;
            else if (levels.Length == 5 && first == "cmd" && levels[2] == ApduCommandName) parsed.Kind = TopicKind.ApduCommand;
            else if (levels.Length == 5 && first == "cmd" && levels[2] == PrintCommandName) parsed.Kind = TopicKind.PrintCommand;
            else if (levels.Length == 4 && first == "reply") parsed.Kind = TopicKind.Reply;
            else return null;

            if (parsed.Kind == TopicKind.ApduCommand || parsed.Kind == TopicKind.PrintCommand)
            {
                parsed.Requester = levels[3];
                parsed.RequestId = levels[4];
            }
            else if (parsed.Kind == TopicKind.Reply)
            {
                parsed.Requester = levels[2];
                parsed.RequestId = levels[3];
            }
            if (parsed.Requester != null && (!IsValidName(parsed.Requester) || !IsValidName(parsed.RequestId))) return null;
            return parsed;
        }

        /// <summary>Device ids are letters, digits and '-' only, so they cannot inject topic levels or wildcards.</summary>
        public static bool IsValidDeviceId(string device) { return IsValidName(device); }

        /// <summary>Letters, digits and '-', 1 to <see cref="MaxNameLength"/> characters.</summary>
        public static bool IsValidName(string name)
        {
            if (name == null || name.Length == 0 || name.Length > MaxNameLength) return false;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                if (!ok) return false;
            }
            return true;
        }
    }
}
