using System.Threading;
using Kiosk.Firmware.App;
using Kiosk.Firmware.Device.Platform;
using Kiosk.Firmware.Platform;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Networking;

namespace Kiosk.Firmware.Device
{
    /// <summary>
    /// ESP32 entry point: joins Wi-Fi, maps the three UARTs to their pins, then runs the shared FirmwareApp forever.
    /// Pin map (tell hardware/ when it changes):
    ///   PN532 (HSU)        COM2  TX GPIO17  RX GPIO16  115200 8N1
    ///   fingerprint R30x   COM3  TX GPIO25  RX GPIO26   57600 8N1
    ///   ESC/POS printer    COM1  TX GPIO32  RX GPIO33    9600 8N1
    /// The ESP32 has three UARTs and nanoFramework's debugger uses UART0 (COM1) by default: giving COM1 to the printer
    /// means debugging over the wire protocol is not possible once the app runs. Verify on the board before release.
    /// </summary>
    public class Program
    {
        public static void Main()
        {
            ILog log = new DebugLog();
            log.Info("kiosk firmware starting");

            Configuration.SetPinFunction(17, DeviceFunction.COM2_TX);
            Configuration.SetPinFunction(16, DeviceFunction.COM2_RX);
            Configuration.SetPinFunction(25, DeviceFunction.COM3_TX);
            Configuration.SetPinFunction(26, DeviceFunction.COM3_RX);
            Configuration.SetPinFunction(32, DeviceFunction.COM1_TX);
            Configuration.SetPinFunction(33, DeviceFunction.COM1_RX);

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
