namespace Kiosk.Firmware.Device
{
    /// <summary>
    /// Per-kiosk settings compiled into the image. The installer fills them in; never commit real Wi-Fi or MQTT passwords
    /// (the MQTT password is the one the edge broker wrote to SECRETS/mqtt-DEVICE.password on the kiosk's Pi).
    /// </summary>
    public static class DeviceConfig
    {
        public const string WifiSsid = "kiosk-lan";
        public const string WifiPassword = "";
        public const string BrokerHost = "192.168.50.1";
        public const int BrokerPort = 1883;
        public const string DeviceId = "mcu-01";
        public const string MqttPassword = "";

        public const int Pn532Baud = 115200;
        public const int FingerprintBaud = 57600;
        public const int PrinterBaud = 9600;
    }
}
