using System;
using System.Device.Wifi;
using System.IO;
using Kiosk.DeviceContract;
using Kiosk.Firmware.Platform;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Networking;
using nanoFramework.Runtime.Native;

namespace Kiosk.Firmware.Device.Platform
{
    /// <summary>
    /// IDevicePlatform on the ESP32 with nanoFramework: the start reason from the chip's wake-up cause, free managed memory
    /// from the garbage collector, the joined network's signal from the Wi-Fi adapter's scan report, a text store of small
    /// files on the internal flash file system (drive I:\) and a reboot. Never throws.
    /// </summary>
    public class DevicePlatform : IDevicePlatform
    {
        /// <summary>nanoFramework's drive letter for the ESP32's internal flash file system (I: and J: are internal flash).</summary>
        public const string StorageRoot = "I:\\";

        /// <summary>Stored texts are small (the settings file with its CA is about 2 KB): anything larger is not ours.</summary>
        public const int MaxTextBytes = 16384;

        /// <summary>A Wi-Fi scan briefly leaves the channel: at most one per minute, only when the signal is asked for.</summary>
        private const int ScanIntervalMilliseconds = 60000;

        private readonly ILog _log;
        private readonly StartReason _startReason;
        private readonly object _sync = new object();
        private string _wifiSsid = "";
        private long _lastScan = long.MinValue;

        public DevicePlatform(ILog log)
        {
            _log = log;
            _startReason = ReadStartReason();
        }

        public StartReason PlatformStartReason
        {
            get { return _startReason; }
        }

        /// <summary>The network whose signal <see cref="WifiRssiDbm"/> reports; set once Wi-Fi is joined.</summary>
        public void SetJoinedNetwork(string ssid)
        {
            lock (_sync)
            {
                _wifiSsid = ssid == null ? "" : ssid;
            }
        }

        private static StartReason ReadStartReason()
        {
            try
            {
                // Undefined: not woken from deep sleep, i.e. power-on or any reset. The firmware's own watchdog and
                // requested reboots are told apart by SoftwareWatchdog's record, not here.
                return Sleep.GetWakeupCause() == Sleep.WakeupCause.Undefined ? StartReason.PowerOn : StartReason.WakeUp;
            }
            catch (Exception)
            {
                return StartReason.Unknown;
            }
        }

        public long FreeMemoryBytes()
        {
            try
            {
                // Runs a collection (without compaction) and returns the free managed heap in bytes.
                return nanoFramework.Runtime.Native.GC.Run(false);
            }
            catch (Exception)
            {
                return -1;
            }
        }

        public int WifiRssiDbm()
        {
            string ssid;
            lock (_sync)
            {
                ssid = _wifiSsid;
            }
            if (ssid.Length == 0) return 0;
            try
            {
                WifiAdapter adapter = WifiNetworkHelper.WifiAdapter;
                if (adapter == null) return 0;
                int rssi = 0;
                WifiNetworkReport report = adapter.NetworkReport;
                WifiAvailableNetwork[] networks = report == null ? null : report.AvailableNetworks;
                if (networks != null)
                {
                    for (int i = 0; i < networks.Length; i++)
                    {
                        WifiAvailableNetwork network = networks[i];
                        if (network == null || network.Ssid != ssid) continue;
                        int dbm = (int)network.NetworkRssiInDecibelMilliwatts;
                        // Several access points may carry the SSID: the strongest is the one the station joins.
                        if (dbm < 0 && (rssi == 0 || dbm > rssi)) rssi = dbm;
                    }
                }
                // Joining with ConnectDhcp does not scan, so the report is empty until a scan: ask for a fresh one, at
                // most once per interval; the next call reads its result.
                long now = DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond;
                bool scan;
                lock (_sync)
                {
                    scan = _lastScan == long.MinValue || now - _lastScan >= ScanIntervalMilliseconds;
                    if (scan) _lastScan = now;
                }
                if (scan) adapter.ScanAsync();
                return rssi;
            }
            catch (Exception)
            {
                return 0;
            }
        }

        public string ReadText(string name)
        {
            string path = PathOf(name);
            if (path == null) return null;
            try
            {
                if (!File.Exists(path)) return null;
                FileStream stream = new FileStream(path, FileMode.Open, FileAccess.Read);
                try
                {
                    long length = stream.Length;
                    if (length > MaxTextBytes)
                    {
                        _log.Info("storage: " + name + " is larger than " + MaxTextBytes.ToString() + " bytes; ignored");
                        return null;
                    }
                    byte[] bytes = new byte[(int)length];
                    int read = 0;
                    while (read < bytes.Length)
                    {
                        int n = stream.Read(bytes, read, bytes.Length - read);
                        if (n <= 0) break;
                        read += n;
                    }
                    // A UTF-8 byte order mark (an editor on the installer's PC may add one) is not part of the text.
                    int start = read >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
                    return Utf8.Decode(bytes, start, read - start);
                }
                finally
                {
                    stream.Dispose();
                }
            }
            catch (Exception e)
            {
                _log.Info("storage: cannot read " + name + " (" + e.GetType().Name + ")");
                return null;
            }
        }

        public bool WriteText(string name, string text)
        {
            string path = PathOf(name);
            if (path == null) return false;
            try
            {
                byte[] bytes = Utf8.Encode(text == null ? "" : text);
                FileStream stream = new FileStream(path, FileMode.Create, FileAccess.Write);
                try
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush();
                }
                finally
                {
                    stream.Dispose();
                }
                return true;
            }
            catch (Exception e)
            {
                _log.Info("storage: cannot write " + name + " (" + e.GetType().Name + ")");
                return false;
            }
        }

        public void Delete(string name)
        {
            string path = PathOf(name);
            if (path == null) return;
            try
            {
                if (File.Exists(path)) File.Delete(path);
            }
            catch (Exception e)
            {
                _log.Info("storage: cannot delete " + name + " (" + e.GetType().Name + ")");
            }
        }

        /// <summary>The names of the files in the store (for the log when the settings file is missing), or an empty array.</summary>
        public string[] ListNames()
        {
            try
            {
                string[] files = Directory.GetFiles(StorageRoot);
                string[] names = new string[files.Length];
                for (int i = 0; i < files.Length; i++)
                {
                    string file = files[i];
                    int slash = file.LastIndexOf('\\');
                    names[i] = slash >= 0 ? file.Substring(slash + 1) : file;
                }
                return names;
            }
            catch (Exception)
            {
                return new string[0];
            }
        }

        public void Reboot()
        {
            try
            {
                Power.RebootDevice();
            }
            catch (Exception e)
            {
                _log.Info("reboot failed (" + e.GetType().Name + ")");
            }
        }

        /// <summary>A store name is a plain file name in the root of I:\ (no folders, no drive), else null.</summary>
        private static string PathOf(string name)
        {
            if (name == null || name.Length == 0 || name.Length > 64) return null;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
                if (!ok) return null;
            }
            if (name[0] == '.') return null;
            return StorageRoot + name;
        }
    }
}
