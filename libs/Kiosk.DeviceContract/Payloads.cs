namespace Kiosk.DeviceContract
{
    /// <summary>Values of DeviceStatus' reader, fingerprint and printer fields.</summary>
    public enum PeripheralHealth
    {
        Ok = 0,
        /// <summary>Did not answer at start-up.</summary>
        Absent = 1,
        /// <summary>Answered once, then stopped answering or answers garbage.</summary>
        Error = 2,
        /// <summary>Not reported (an older firmware, or a value this reader does not know).</summary>
        Unknown = 3,
    }

    /// <summary>Why the firmware last started (DeviceStatus' startReason).</summary>
    public enum StartReason
    {
        Unknown = 0,
        /// <summary>Power applied or the reset button: the platform reports no wake-up source.</summary>
        PowerOn = 1,
        /// <summary>The firmware's software watchdog rebooted it because the main loop stopped making progress.</summary>
        Watchdog = 2,
        /// <summary>The firmware rebooted itself on purpose (a command, a configuration change).</summary>
        Requested = 3,
        /// <summary>Woken from deep sleep by a timer, a pin or a touch pad.</summary>
        WakeUp = 4,
    }

    /// <summary>Paper level in PrinterState.</summary>
    public enum PaperLevel
    {
        Ok = 0,
        NearEnd = 1,
        Out = 2,
    }

    /// <summary>
    /// The JSON payloads of docs/mqtt.md, written and read by hand (nanoFramework has no JSON serializer). Every value is
    /// from a fixed vocabulary or a number, so none carries personal data. Each Parse returns null for a malformed
    /// payload; fields a reader does not know are ignored, fields it misses get their "unknown" value.
    /// </summary>
    public static class Payloads
    {
        public const string ProtocolTypeA = "iso14443-4a";
        public const string ProtocolTypeB = "iso14443-4b";

        public static byte[] ToBytes(string json) { return Utf8.Encode(json); }

        public static string HealthName(PeripheralHealth health)
        {
            if (health == PeripheralHealth.Ok) return "ok";
            if (health == PeripheralHealth.Absent) return "absent";
            if (health == PeripheralHealth.Error) return "error";
            return "unknown";
        }

        public static PeripheralHealth HealthFromName(string name)
        {
            if (name == "ok") return PeripheralHealth.Ok;
            if (name == "absent") return PeripheralHealth.Absent;
            if (name == "error") return PeripheralHealth.Error;
            return PeripheralHealth.Unknown;
        }

        public static string StartReasonName(StartReason reason)
        {
            if (reason == StartReason.PowerOn) return "power-on";
            if (reason == StartReason.Watchdog) return "watchdog";
            if (reason == StartReason.Requested) return "requested";
            if (reason == StartReason.WakeUp) return "wake-up";
            return "unknown";
        }

        public static StartReason StartReasonFromName(string name)
        {
            if (name == "power-on") return StartReason.PowerOn;
            if (name == "watchdog") return StartReason.Watchdog;
            if (name == "requested") return StartReason.Requested;
            if (name == "wake-up") return StartReason.WakeUp;
            return StartReason.Unknown;
        }

        public static string PaperName(PaperLevel paper)
        {
            if (paper == PaperLevel.Out) return "out";
            if (paper == PaperLevel.NearEnd) return "near-end";
            return "ok";
        }

        /// <summary>A JSON string literal with quotes, backslashes and control characters escaped.</summary>
        public static string Quote(string value)
        {
            if (value == null) return "null";
            char[] output = new char[value.Length * 6 + 2];
            int n = 0;
            output[n++] = '"';
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '"' || c == '\\')
                {
                    output[n++] = '\\';
                    output[n++] = c;
                }
                else if (c < 0x20)
                {
                    const string hex = "0123456789abcdef";
                    output[n++] = '\\';
                    output[n++] = 'u';
                    output[n++] = '0';
                    output[n++] = '0';
                    output[n++] = hex[c >> 4];
                    output[n++] = hex[c & 0xF];
                }
                else
                {
                    output[n++] = c;
                }
            }
            output[n++] = '"';
            return new string(output, 0, n);
        }
    }

    /// <summary>DeviceStatus, retained on kiosk/v1/{device}/status; the will is the offline form.</summary>
    public class DeviceStatusMessage
    {
        public const long UnknownNumber = -1;

        public bool Online;
        public string Firmware;
        public PeripheralHealth Reader = PeripheralHealth.Unknown;
        public PeripheralHealth Fingerprint = PeripheralHealth.Unknown;
        public PeripheralHealth Printer = PeripheralHealth.Unknown;
        public long UptimeSeconds = UnknownNumber;
        public StartReason StartReason = StartReason.Unknown;
        /// <summary>Free managed heap in bytes after a collection; -1 when the platform cannot say.</summary>
        public long FreeMemoryBytes = UnknownNumber;
        /// <summary>Wi-Fi signal of the joined network in dBm (negative); 0 when unknown or not on Wi-Fi.</summary>
        public long WifiRssiDbm;
        /// <summary>Broker connections made since start-up, the first one included.</summary>
        public long Connections = UnknownNumber;

        /// <summary>The will: what the broker publishes for the firmware when it vanishes.</summary>
        public static string OfflineJson() { return "{\"online\":false}"; }

        public string ToJson()
        {
            if (!Online) return OfflineJson();
            string json = "{\"online\":true,\"firmware\":" + Payloads.Quote(Firmware)
                + ",\"reader\":\"" + Payloads.HealthName(Reader)
                + "\",\"fingerprint\":\"" + Payloads.HealthName(Fingerprint)
                + "\",\"printer\":\"" + Payloads.HealthName(Printer)
                + "\",\"uptimeSeconds\":" + UptimeSeconds.ToString()
                + ",\"startReason\":\"" + Payloads.StartReasonName(StartReason) + "\"";
            if (FreeMemoryBytes >= 0) json += ",\"freeMemoryBytes\":" + FreeMemoryBytes.ToString();
            if (WifiRssiDbm != 0) json += ",\"wifiRssiDbm\":" + WifiRssiDbm.ToString();
            if (Connections >= 0) json += ",\"connections\":" + Connections.ToString();
            return json + "}";
        }

        public static DeviceStatusMessage Parse(byte[] payload)
        {
            FlatJson json = FlatJson.Parse(payload);
            if (json == null || !json.HasBoolean("online")) return null;
            DeviceStatusMessage status = new DeviceStatusMessage();
            status.Online = json.GetBoolean("online", false);
            status.Firmware = json.GetString("firmware");
            status.Reader = Payloads.HealthFromName(json.GetString("reader"));
            status.Fingerprint = Payloads.HealthFromName(json.GetString("fingerprint"));
            status.Printer = Payloads.HealthFromName(json.GetString("printer"));
            status.UptimeSeconds = json.GetInteger("uptimeSeconds", UnknownNumber);
            status.StartReason = Payloads.StartReasonFromName(json.GetString("startReason"));
            status.FreeMemoryBytes = json.GetInteger("freeMemoryBytes", UnknownNumber);
            status.WifiRssiDbm = json.GetInteger("wifiRssiDbm", 0);
            status.Connections = json.GetInteger("connections", UnknownNumber);
            return status;
        }
    }

    /// <summary>CardEvent on kiosk/v1/{device}/event/card.</summary>
    public class CardEventMessage
    {
        public bool Placed;
        /// <summary>Placed only: <see cref="Payloads.ProtocolTypeA"/> or <see cref="Payloads.ProtocolTypeB"/>.</summary>
        public string Protocol;
        /// <summary>Placed only: kbit/s on the air after activation (106, 212, 424 or 848); older firmware omits it (106).</summary>
        public int BitRateKbps = 106;

        public static string PlacedJson(string protocol, int bitRateKbps)
        {
            return "{\"event\":\"placed\",\"protocol\":" + Payloads.Quote(protocol) + ",\"bitRate\":" + bitRateKbps.ToString() + "}";
        }

        public static string RemovedJson() { return "{\"event\":\"removed\"}"; }

        public static CardEventMessage Parse(byte[] payload)
        {
            FlatJson json = FlatJson.Parse(payload);
            if (json == null) return null;
            string name = json.GetString("event");
            CardEventMessage card = new CardEventMessage();
            if (name == "removed") return card;
            if (name != "placed") return null;
            card.Placed = true;
            card.Protocol = json.GetString("protocol");
            card.BitRateKbps = (int)json.GetInteger("bitRate", 106);
            return card;
        }
    }

    /// <summary>FingerEvent on kiosk/v1/{device}/event/finger.</summary>
    public class FingerEventMessage
    {
        public bool Placed;

        public static string Json(bool placed) { return placed ? "{\"event\":\"placed\"}" : "{\"event\":\"removed\"}"; }

        public static FingerEventMessage Parse(byte[] payload)
        {
            FlatJson json = FlatJson.Parse(payload);
            if (json == null) return null;
            string name = json.GetString("event");
            if (name != "placed" && name != "removed") return null;
            FingerEventMessage finger = new FingerEventMessage();
            finger.Placed = name == "placed";
            return finger;
        }
    }

    /// <summary>PrinterState, retained on kiosk/v1/{device}/state/printer.</summary>
    public class PrinterStateMessage
    {
        public PaperLevel Paper;
        public bool CoverOpen;
        public bool Online;

        public string ToJson()
        {
            return "{\"paper\":\"" + Payloads.PaperName(Paper) + "\",\"cover\":\"" + (CoverOpen ? "open" : "closed") + "\",\"online\":" + (Online ? "true" : "false") + "}";
        }

        public static PrinterStateMessage Parse(byte[] payload)
        {
            FlatJson json = FlatJson.Parse(payload);
            if (json == null) return null;
            string paper = json.GetString("paper");
            string cover = json.GetString("cover");
            if ((paper != "ok" && paper != "near-end" && paper != "out") || (cover != "open" && cover != "closed") || !json.HasBoolean("online")) return null;
            PrinterStateMessage state = new PrinterStateMessage();
            state.Paper = paper == "out" ? PaperLevel.Out : paper == "near-end" ? PaperLevel.NearEnd : PaperLevel.Ok;
            state.CoverOpen = cover == "open";
            state.Online = json.GetBoolean("online", false);
            return state;
        }
    }
}
