using System;
using System.Net;
using System.Net.Sockets;
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
    /// "Provisioning"), maps the three UARTs to their pins, joins Wi-Fi, sets the clock from the broker host's NTP server
    /// (the TLS handshake checks the broker certificate's dates against it), then runs the shared FirmwareApp forever.
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

        /// <summary>
        /// A clock before this is not set: the board has no battery-backed clock and starts at 1970 on power-on. The broker
        /// makes its CA only on a clock past the same date, so no certificate it issued is older.
        /// </summary>
        private static readonly DateTime EarliestPlausibleTime = new DateTime(2025, 1, 1, 0, 0, 0);
        private const int NtpPort = 123;
        private const int NtpPacketBytes = 48;
        private const int NtpReplyTimeoutMilliseconds = 3000;
        /// <summary>Failed time queries after which a clock that is already plausible (kept across a reset) is used as it is.</summary>
        private const int NtpTriesBeforeKeepingThePlausibleClock = 3;

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
            // Before the first TLS connection, and before FirmwareApp, whose timers run on this clock.
            SetClock(settings.BrokerHost, log);

            SerialPortLink reader = new SerialPortLink("COM2", Pn532Baud);
            SerialPortLink fingerprint = new SerialPortLink("COM3", FingerprintBaud);
            SerialPortLink printer = new SerialPortLink("COM1", PrinterBaud);
            M2MqttLink mqtt = new M2MqttLink(settings, log);

            FirmwareOptions options = new FirmwareOptions();
            options.DeviceId = settings.DeviceId;
            new FirmwareApp(options, mqtt, reader, fingerprint, printer, new TickClock(), log, platform).Run();
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

        /// <summary>
        /// Retries until joined: the firmware is useless without the broker, and the access point may come up later.
        /// requiresDateTime stays false: the helper would wait for the native SNTP client, which nanoFramework points at
        /// 0.pool.ntp.org and 1.pool.ntp.org, unreachable from the kiosk network; <see cref="SetClock"/> asks the broker host.
        /// </summary>
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

        /// <summary>
        /// Sets the clock from the NTP server on the broker host (the kiosk's Pi serves time on the kiosk network,
        /// firmware/README.md "Provisioning"); the TLS handshake rejects the broker's certificate on a clock outside its
        /// validity dates, and the board's clock starts at 1970 on power-on. Retries every few seconds until the server
        /// answers. A clock that is already plausible (it survives a software reset) is kept after a few failed queries,
        /// so a stopped time server alone does not keep the device off a broker it can verify.
        /// </summary>
        private static void SetClock(string host, ILog log)
        {
            int failures = 0;
            while (true)
            {
                string error;
                DateTime time = QueryNtp(host, out error);
                if (error == null)
                {
                    if (nanoFramework.Runtime.Native.Rtc.SetSystemTime(time))
                    {
                        log.Info("clock: set from " + host + " (NTP): " + FormatUtc(time));
                        return;
                    }
                    error = "the clock refused the time";
                }
                failures++;
                DateTime now = DateTime.UtcNow;
                bool plausible = now >= EarliestPlausibleTime;
                if (plausible && failures >= NtpTriesBeforeKeepingThePlausibleClock)
                {
                    log.Info("clock: no time from " + host + " (NTP, UDP " + NtpPort.ToString() + "): " + error + "; keeping the clock at " + FormatUtc(now));
                    return;
                }
                log.Info("clock: no time from " + host + " (NTP, UDP " + NtpPort.ToString() + "): " + error + "; clock at " + FormatUtc(now)
                    + (plausible ? "; trying again" : ", not set; no broker connection until it is; trying again"));
                Thread.Sleep(RetryPauseMilliseconds);
            }
        }

        /// <summary>
        /// One SNTP exchange (RFC 4330, client mode) with host's UDP port 123. Returns the server's transmit time, or sets
        /// error (never null on failure) and returns DateTime.MinValue. The request's transmit timestamp is random; a reply
        /// whose originate timestamp does not echo it is not an answer to this request. The time is taken to within the
        /// network's round trip, plenty for certificate dates.
        /// </summary>
        private static DateTime QueryNtp(string host, out string error)
        {
            error = null;
            Socket socket = null;
            try
            {
                IPHostEntry entry = Dns.GetHostEntry(host);
                IPAddress address = null;
                IPAddress[] addresses = entry == null ? null : entry.AddressList;
                for (int i = 0; addresses != null && i < addresses.Length && address == null; i++)
                {
                    if (addresses[i] != null && addresses[i].AddressFamily == AddressFamily.InterNetwork) address = addresses[i];
                }
                if (address == null)
                {
                    error = "the host has no IPv4 address";
                    return DateTime.MinValue;
                }

                byte[] request = new byte[NtpPacketBytes];
                request[0] = 0x23; // leap indicator 0, version 4, mode 3 (client)
                byte[] nonce = new byte[8];
                new Random().NextBytes(nonce);
                Array.Copy(nonce, 0, request, 40, 8);

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.SendTimeout = NtpReplyTimeoutMilliseconds;
                socket.ReceiveTimeout = NtpReplyTimeoutMilliseconds;
                socket.SendTo(request, new IPEndPoint(address, NtpPort));
                byte[] reply = new byte[128]; // 48 bytes, more with extension fields or a MAC
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length = socket.ReceiveFrom(reply, ref from);

                if (length < NtpPacketBytes) error = "short reply";
                else if ((reply[0] & 0x07) != 4) error = "not a server reply";
                else if ((reply[0] >> 6) == 3) error = "the server's clock is not synchronized";
                else if (reply[1] == 0 || reply[1] > 15) error = "the server refused or is not synchronized (stratum " + reply[1].ToString() + ")";
                else
                {
                    for (int i = 0; i < 8 && error == null; i++)
                    {
                        if (reply[24 + i] != nonce[i]) error = "the reply is not for this request";
                    }
                }
                if (error != null) return DateTime.MinValue;

                long seconds = ReadUInt32(reply, 40);
                long fraction = ReadUInt32(reply, 44);
                // NTP seconds count from 1900 and wrap in February 2036 (RFC 4330, section 3): the top bit tells the eras apart.
                DateTime era = (seconds & 0x80000000L) != 0 ? new DateTime(1900, 1, 1, 0, 0, 0) : new DateTime(2036, 2, 7, 6, 28, 16);
                DateTime time = era.AddTicks(seconds * TimeSpan.TicksPerSecond + ((fraction * TimeSpan.TicksPerSecond) >> 32));
                if (time < EarliestPlausibleTime)
                {
                    error = "the server's time " + FormatUtc(time) + " is before " + FormatUtc(EarliestPlausibleTime);
                    return DateTime.MinValue;
                }
                return time;
            }
            catch (Exception e)
            {
                // No reply within the timeout is a SocketException; a name that does not resolve, too.
                error = e.GetType().Name;
                return DateTime.MinValue;
            }
            finally
            {
                if (socket != null)
                {
                    try
                    {
                        socket.Close();
                    }
                    catch (Exception)
                    {
                        // Nothing to do: the socket is dropped either way.
                    }
                }
            }
        }

        private static long ReadUInt32(byte[] buffer, int offset)
        {
            return ((long)buffer[offset] << 24) | ((long)buffer[offset + 1] << 16) | ((long)buffer[offset + 2] << 8) | buffer[offset + 3];
        }

        /// <summary>yyyy-MM-dd HH:mm:ss UTC, built from the fields.</summary>
        private static string FormatUtc(DateTime time)
        {
            return time.Year.ToString() + "-" + TwoDigits(time.Month) + "-" + TwoDigits(time.Day) + " " + TwoDigits(time.Hour) + ":"
                + TwoDigits(time.Minute) + ":" + TwoDigits(time.Second) + " UTC";
        }

        private static string TwoDigits(int value)
        {
            return value < 10 ? "0" + value.ToString() : value.ToString();
        }
    }
}
