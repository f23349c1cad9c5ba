using System;
using System.Threading;
using Kiosk.DeviceContract;
using Kiosk.Firmware.App;
using Kiosk.Firmware.Device.Platform;
using Kiosk.Firmware.Platform;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Networking;

namespace Kiosk.Firmware.Device
{
    /// <summary>
    /// ESP32-S3 entry point: reads the device settings from the internal flash (I:\kiosk-device.conf, firmware/README.md
    /// "Provisioning"), maps the three UARTs to their pins, joins Wi-Fi, then runs the shared FirmwareApp forever.
    /// Nothing secret is compiled into the image: Wi-Fi and MQTT credentials and the pinned broker CA come from that file.
    /// Board: ESP32-S3-DevKitC-1 (ESP32-S3-WROOM-1 N8R8 / N16R8), nanoFramework image ESP32_S3_ALL. Its console and the
    /// wire protocol (deploy, debug, file deployment) run on the chip's native USB (GPIO 19/20), so all three UARTs are free.
    /// Pin map = hardware/pinmap.json (change both together):
    ///   PN532 (HSU)        COM2 = UART1  TX GPIO17  RX GPIO18  115200 8N1
    ///   fingerprint R503   COM3 = UART2  TX GPIO15  RX GPIO16   57600 8N1  (touch IRQ / WAKEUP on GPIO7)
    ///   ESC/POS printer    COM1 = UART0  TX GPIO4   RX GPIO5     9600 8N1  (remapped from UART0's default 43/44)
    /// Never used: GPIO 26-32 (SPI flash), 33-37 (octal PSRAM), 0/3/45/46 (strapping), 19/20 (USB), 43/44.
    /// </summary>
    public class Program
    {
        public const int Pn532Baud = 115200;
        public const int FingerprintBaud = 57600;
        public const int PrinterBaud = 9600;

        /// <summary>How long one Wi-Fi join may take before it is abandoned and tried again.</summary>
        private const int WifiJoinTimeoutMilliseconds = 60000;
        private const int RetryPauseMilliseconds = 5000;

        public static void Main()
        {
            ILog log = new DebugLog();
            log.Info("kiosk firmware starting");
            DevicePlatform platform = new DevicePlatform(log);

            // Before any SerialPort is opened: the GPIO matrix routes each UART to these pins.
            Configuration.SetPinFunction(17, DeviceFunction.COM2_TX); // PN532 RXD
            Configuration.SetPinFunction(18, DeviceFunction.COM2_RX); // PN532 TXD
            Configuration.SetPinFunction(15, DeviceFunction.COM3_TX); // R503 RX
            Configuration.SetPinFunction(16, DeviceFunction.COM3_RX); // R503 TX
            Configuration.SetPinFunction(4, DeviceFunction.COM1_TX);  // printer RX (TTL, or MAX3232 T1IN)
            Configuration.SetPinFunction(5, DeviceFunction.COM1_RX);  // printer TX (TTL, or MAX3232 R1OUT)

            DeviceSettings settings = LoadSettings(platform, log);
            JoinWifi(settings, log);
            platform.SetJoinedNetwork(settings.WifiSsid);

            SerialPortLink reader = new SerialPortLink("COM2", Pn532Baud);
            SerialPortLink fingerprint = new SerialPortLink("COM3", FingerprintBaud);
            SerialPortLink printer = new SerialPortLink("COM1", PrinterBaud);
            M2MqttLink mqtt = new M2MqttLink(settings, log);

            FirmwareOptions options = new FirmwareOptions();
            options.DeviceId = settings.DeviceId;
            new FirmwareApp(options, mqtt, reader, fingerprint, printer, new SystemClock(), log, platform).Run();
        }

        /// <summary>
        /// Reads and parses the settings file until it is there and valid. A device without its file keeps waiting (and
        /// says so on the console every few seconds) instead of crashing, so the installer can deploy the file to the
        /// running device with nanoff. Only the error is logged, never a value: the file holds the passwords.
        /// </summary>
        private static DeviceSettings LoadSettings(DevicePlatform platform, ILog log)
        {
            string where = DevicePlatform.StorageRoot + DeviceSettings.FileName;
            bool listed = false;
            while (true)
            {
                string error;
                DeviceSettings settings = DeviceSettings.Parse(platform.ReadText(DeviceSettings.FileName), out error);
                if (settings != null && (settings.WifiSsid == null || settings.WifiSsid.Length == 0))
                {
                    settings = null;
                    error = DeviceSettings.KeyWifiSsid + " is missing";
                }
                if (settings != null)
                {
                    log.Info("settings: " + where + " read (device " + settings.DeviceId + ")");
                    return settings;
                }
                log.Info("settings: " + where + ": " + error + "; waiting for the file (firmware/README.md, Provisioning)");
                if (!listed)
                {
                    // File names only, once: tells a wrong destination name apart from a missing deployment.
                    string[] names = platform.ListNames();
                    string list = names.Length == 0 ? "none" : names[0];
                    for (int i = 1; i < names.Length; i++) list += ", " + names[i];
                    log.Info("settings: files on " + DevicePlatform.StorageRoot + ": " + list);
                    listed = true;
                }
                Thread.Sleep(RetryPauseMilliseconds);
            }
        }

        /// <summary>Retries until joined: the firmware is useless without the broker, and the access point may come up later.</summary>
        private static void JoinWifi(DeviceSettings settings, ILog log)
        {
            while (true)
            {
                bool joined = false;
                CancellationTokenSource joining = new CancellationTokenSource(WifiJoinTimeoutMilliseconds);
                try
                {
                    joined = WifiNetworkHelper.ConnectDhcp(settings.WifiSsid, settings.WifiPassword, requiresDateTime: false, token: joining.Token);
                }
                catch (Exception e)
                {
                    log.Info("wifi: join failed (" + e.GetType().Name + ")");
                }
                finally
                {
                    joining.Dispose();
                }
                if (joined)
                {
                    log.Info("wifi: joined");
                    return;
                }
                Exception helperError = WifiNetworkHelper.HelperException;
                log.Info("wifi: not joined (status " + ((int)WifiNetworkHelper.Status).ToString()
                    + (helperError == null ? "" : ", " + helperError.GetType().Name) + "); retrying");
                Thread.Sleep(RetryPauseMilliseconds);
            }
        }
    }
}
