namespace Kiosk.Firmware.Mqtt
{
    /// <summary>
    /// Every topic of docs/mqtt.md. tests/Firmware.Tests/MqttContractTests calls each public method returning a
    /// string with its parameter names in braces ("{device}") and compares the result with the doc's table, so keep the
    /// parameter names equal to the doc's placeholders. Methods ending in "Filter" build subscription filters.
    /// </summary>
    public static class Topics
    {
        public const string Prefix = "kiosk/v1/";

        public static string Status(string device) { return Prefix + device + "/status"; }
        public static string CardEvent(string device) { return Prefix + device + "/event/card"; }
        public static string FingerEvent(string device) { return Prefix + device + "/event/finger"; }
        public static string PrinterState(string device) { return Prefix + device + "/state/printer"; }
        public static string ApduCommand(string device) { return Prefix + device + "/cmd/apdu"; }
        public static string PrintCommand(string device) { return Prefix + device + "/cmd/print"; }
        public static string Reply(string device, string requester) { return Prefix + device + "/reply/" + requester; }

        /// <summary>What the firmware subscribes to: its own commands.</summary>
        public static string CommandsFilter(string device) { return Prefix + device + "/cmd/#"; }

        /// <summary>True for a response topic this device may publish to (the broker's ACL allows only its own reply/#).</summary>
        public static bool IsReplyTopicOf(string device, string topic)
        {
            string prefix = Prefix + device + "/reply/";
            return topic != null && topic.Length > prefix.Length && topic.StartsWith(prefix)
                && topic.IndexOf('#') < 0 && topic.IndexOf('+') < 0;
        }

        /// <summary>Device ids are letters, digits and '-' only, so they cannot inject topic levels or wildcards.</summary>
        public static bool IsValidDeviceId(string device)
        {
            if (device == null || device.Length == 0 || device.Length > 64) return false;
            for (int i = 0; i < device.Length; i++)
            {
                char c = device[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                if (!ok) return false;
            }
            return true;
        }
    }
}
