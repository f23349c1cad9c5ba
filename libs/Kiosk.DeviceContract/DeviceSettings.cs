namespace Kiosk.DeviceContract
{
    /// <summary>
    /// The device's configuration file (firmware/README.md, "Provisioning"): one "key=value" per line, '#' starts a
    /// comment line. The edge broker writes it for each device (its secrets folder, mode 0600), the installer adds the
    /// Wi-Fi lines and deploys it to the ESP32's configuration storage; the virtual MCU reads the same file. Nothing here
    /// is compiled into the device image.
    /// </summary>
    public class DeviceSettings
    {
        public const string FileName = "kiosk-device.conf";
        public const int DefaultTlsPort = 8883;

        public const string KeyDeviceId = "device.id";
        public const string KeyWifiSsid = "wifi.ssid";
        public const string KeyWifiPassword = "wifi.password";
        public const string KeyBrokerHost = "broker.host";
        public const string KeyBrokerPort = "broker.port";
        public const string KeyBrokerCa = "broker.ca";
        public const string KeyMqttPassword = "mqtt.password";
        public const string KeyMqttProtocol = "mqtt.protocol";

        public const string Protocol311 = "3.1.1";
        public const string Protocol500 = "5.0";

        public string DeviceId;
        /// <summary>Empty when the device is not on Wi-Fi (the virtual MCU).</summary>
        public string WifiSsid = "";
        public string WifiPassword = "";
        public string BrokerHost;
        public int BrokerPort = DefaultTlsPort;
        /// <summary>The per-kiosk CA certificate (DER) the broker's TLS certificate must chain to: the pinned CA.</summary>
        public byte[] BrokerCa;
        public string MqttPassword;
        /// <summary>True for MQTT 5.0; MQTT 3.1.1 (the default) otherwise.</summary>
        public bool UseMqtt5;

        /// <summary>
        /// Reads the file's text. Returns null and sets error (naming the key, never a value: values may be secrets) when
        /// a required key is missing or a value is not valid. Unknown keys are ignored.
        /// </summary>
        public static DeviceSettings Parse(string text, out string error)
        {
            error = null;
            DeviceSettings settings = new DeviceSettings();
            if (text == null)
            {
                error = "no configuration";
                return null;
            }
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                int equals = line.IndexOf('=');
                if (equals <= 0)
                {
                    error = "line " + (i + 1).ToString() + " is not key=value";
                    return null;
                }
                string key = line.Substring(0, equals).Trim();
                string value = line.Substring(equals + 1).Trim();
                if (!settings.Set(key, value))
                {
                    error = key + " is not valid";
                    return null;
                }
            }
            if (!Topics.IsValidDeviceId(settings.DeviceId)) error = KeyDeviceId + " is missing or not valid";
            else if (settings.BrokerHost == null || settings.BrokerHost.Length == 0) error = KeyBrokerHost + " is missing";
            else if (settings.BrokerCa == null) error = KeyBrokerCa + " is missing: the device connects only over TLS to a pinned CA";
            else if (settings.MqttPassword == null || settings.MqttPassword.Length == 0) error = KeyMqttPassword + " is missing";
            return error == null ? settings : null;
        }

        private bool Set(string key, string value)
        {
            if (key == KeyDeviceId) DeviceId = value;
            else if (key == KeyWifiSsid) WifiSsid = value;
            else if (key == KeyWifiPassword) WifiPassword = value;
            else if (key == KeyBrokerHost) BrokerHost = value;
            else if (key == KeyMqttPassword) MqttPassword = value;
            else if (key == KeyBrokerPort)
            {
                int port = ParsePort(value);
                if (port <= 0) return false;
                BrokerPort = port;
            }
            else if (key == KeyBrokerCa)
            {
                try
                {
                    BrokerCa = System.Convert.FromBase64String(value);
                }
                catch (System.Exception)
                {
                    return false;
                }
                if (BrokerCa.Length == 0) return false;
            }
            else if (key == KeyMqttProtocol)
            {
                if (value == Protocol500) UseMqtt5 = true;
                else if (value == Protocol311) UseMqtt5 = false;
                else return false;
            }
            return true;
        }

        private static int ParsePort(string value)
        {
            if (value.Length == 0 || value.Length > 5) return -1;
            int port = 0;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c < '0' || c > '9') return -1;
                port = port * 10 + (c - '0');
            }
            return port <= 65535 ? port : -1;
        }

        /// <summary>The file's text, comments first; what the broker writes and Parse reads back.</summary>
        public string ToText()
        {
            return "# Kiosk device configuration: firmware/README.md, \"Provisioning\". Keep it secret (mode 0600).\n"
                + KeyDeviceId + "=" + DeviceId + "\n"
                + KeyWifiSsid + "=" + WifiSsid + "\n"
                + KeyWifiPassword + "=" + WifiPassword + "\n"
                + KeyBrokerHost + "=" + BrokerHost + "\n"
                + KeyBrokerPort + "=" + BrokerPort.ToString() + "\n"
                + KeyBrokerCa + "=" + (BrokerCa == null ? "" : System.Convert.ToBase64String(BrokerCa)) + "\n"
                + KeyMqttPassword + "=" + MqttPassword + "\n"
                + KeyMqttProtocol + "=" + (UseMqtt5 ? Protocol500 : Protocol311) + "\n";
        }
    }
}
