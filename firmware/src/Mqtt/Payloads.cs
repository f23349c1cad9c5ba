using Kiosk.Firmware.Text;

namespace Kiosk.Firmware.Mqtt
{
    /// <summary>Values of DeviceStatus' reader, fingerprint and printer fields.</summary>
    public enum PeripheralHealth
    {
        Ok = 0,
        /// <summary>Did not answer at start-up.</summary>
        Absent = 1,
        /// <summary>Answered once, then stopped answering or answers garbage.</summary>
        Error = 2,
    }

    /// <summary>
    /// The JSON payloads of docs/mqtt.md, written by hand (nanoFramework has no JSON serializer in mscorlib). Every
    /// value is from a fixed vocabulary or a number, so none carries personal data.
    /// </summary>
    public static class Payloads
    {
        public const string ProtocolTypeA = "iso14443-4a";
        public const string ProtocolTypeB = "iso14443-4b";

        public static string DeviceStatusJson(string firmwareVersion, PeripheralHealth reader, PeripheralHealth fingerprint, PeripheralHealth printer, long uptimeSeconds)
        {
            return "{\"online\":true,\"firmware\":" + Quote(firmwareVersion)
                + ",\"reader\":\"" + HealthName(reader)
                + "\",\"fingerprint\":\"" + HealthName(fingerprint)
                + "\",\"printer\":\"" + HealthName(printer)
                + "\",\"uptimeSeconds\":" + uptimeSeconds.ToString() + "}";
        }

        /// <summary>The will: what the broker publishes for us when we vanish.</summary>
        public static string OfflineStatusJson() { return "{\"online\":false}"; }

        public static string CardPlacedJson(string protocol) { return "{\"event\":\"placed\",\"protocol\":" + Quote(protocol) + "}"; }

        /// <summary>A card event with the bit rate on the air in kbit/s (106, 212, 424 or 848) after activation and InPSL.</summary>
        public static string CardPlacedJson(string protocol, int bitRateKbps)
        {
            return "{\"event\":\"placed\",\"protocol\":" + Quote(protocol) + ",\"bitRate\":" + bitRateKbps.ToString() + "}";
        }
        public static string CardRemovedJson() { return "{\"event\":\"removed\"}"; }
        public static string FingerPlacedJson() { return "{\"event\":\"placed\"}"; }
        public static string FingerRemovedJson() { return "{\"event\":\"removed\"}"; }

        /// <summary>paper: "ok", "near-end" or "out"; coverOpen: "open" else "closed".</summary>
        public static string PrinterStateJson(string paper, bool coverOpen, bool online)
        {
            return "{\"paper\":" + Quote(paper) + ",\"cover\":\"" + (coverOpen ? "open" : "closed") + "\",\"online\":" + (online ? "true" : "false") + "}";
        }

        public static string HealthName(PeripheralHealth health)
        {
            if (health == PeripheralHealth.Ok) return "ok";
            if (health == PeripheralHealth.Absent) return "absent";
            return "error";
        }

        public static byte[] ToBytes(string json) { return Utf8.Encode(json); }

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
}
