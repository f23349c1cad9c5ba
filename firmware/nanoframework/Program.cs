using System.Threading;
using Kiosk.Firmware.App;
using Kiosk.Firmware.Device.Platform;
using Kiosk.Firmware.Platform;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Networking;

namespace Kiosk.Firmware.Device
{
    /// <summary>
    /// ESP32-S3 entry point: joins Wi-Fi, maps the three UARTs to their pins, then runs the shared FirmwareApp forever.
    /// Board: ESP32-S3-DevKitC-1 (ESP32-S3-WROOM-1 N8R8 / N16R8), nanoFramework image ESP32_S3_ALL. Its console and the
    /// wire protocol (deploy, debug) run on the chip's native USB (GPIO 19/20), so all three UARTs are free.
    /// Pin map = hardware/pinmap.json (change both together):
    ///   PN532 (HSU)        COM2 = UART1  TX GPIO17  RX GPIO18  115200 8N1
    ///   fingerprint R503   COM3 = UART2  TX GPIO15  RX GPIO16   57600 8N1  (touch IRQ / WAKEUP on GPIO7)
    ///   ESC/POS printer    COM1 = UART0  TX GPIO4   RX GPIO5     9600 8N1  (remapped from UART0's default 43/44)
    /// Never used: GPIO 26-32 (SPI flash), 33-37 (octal PSRAM), 0/3/45/46 (strapping), 19/20 (USB), 43/44.
    /// </summary>
    public class Program
    {
        public static void Main()
        {
            ILog log = new DebugLog();
            log.Info("kiosk firmware starting");

            // Before any SerialPort is opened: the GPIO matrix routes each UART to these pins.
            Configuration.SetPinFunction(17, DeviceFunction.COM2_TX); // PN532 RXD
            Configuration.SetPinFunction(18, DeviceFunction.COM2_RX); // PN532 TXD
            Configuration.SetPinFunction(15, DeviceFunction.COM3_TX); // R503 RX
            Configuration.SetPinFunction(16, DeviceFunction.COM3_RX); // R503 TX
            Configuration.SetPinFunction(4, DeviceFunction.COM1_TX);  // printer RX (TTL, or MAX3232 T1IN)
            Configuration.SetPinFunction(5, DeviceFunction.COM1_RX);  // printer TX (TTL, or MAX3232 R1OUT)

            // Wi-Fi: retry until joined; the firmware is useless without the broker, and the Pi may boot later than us.
            while (true)
            {
                CancellationTokenSource joining = new CancellationTokenSource(60000);
                if (WifiNetworkHelper.ConnectDhcp(DeviceConfig.WifiSsid, DeviceConfig.WifiPassword, requiresDateTime: false, token: joining.Token))
                {
                    break;
                }
                log.Info("wifi join failed; retrying");
                Thread.Sleep(5000);
            }
            log.Info("wifi joined");

            SerialPortLink reader = new SerialPortLink("COM2", DeviceConfig.Pn532Baud);
            SerialPortLink fingerprint = new SerialPortLink("COM3", DeviceConfig.FingerprintBaud);
            SerialPortLink printer = new SerialPortLink("COM1", DeviceConfig.PrinterBaud);
            M2MqttLink mqtt = new M2MqttLink(DeviceConfig.BrokerHost, DeviceConfig.BrokerPort, DeviceConfig.DeviceId, DeviceConfig.MqttPassword, log);

            FirmwareOptions options = new FirmwareOptions();
            options.DeviceId = DeviceConfig.DeviceId;
            FirmwareApp app = new FirmwareApp(options, mqtt, reader, fingerprint, printer, new SystemClock(), log);
            app.Run();
        }
    }
}
