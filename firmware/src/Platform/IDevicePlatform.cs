using Kiosk.DeviceContract;

namespace Kiosk.Firmware.Platform
{
    /// <summary>
    /// What the firmware asks of the board beyond its serial links and MQTT: why it started, memory and Wi-Fi figures for
    /// the status, a small text store (the device's configuration storage) and a reboot. nanoFramework APIs on the
    /// ESP32 (firmware/nanoframework), files in a folder in the virtual MCU.
    /// </summary>
    public interface IDevicePlatform
    {
        /// <summary>What the platform itself says about this start: PowerOn, WakeUp or Unknown (never Watchdog).</summary>
        StartReason PlatformStartReason { get; }

        /// <summary>Free managed memory in bytes, or -1 when the platform cannot say.</summary>
        long FreeMemoryBytes();

        /// <summary>The joined Wi-Fi network's signal in dBm (negative), or 0 when unknown or not on Wi-Fi.</summary>
        int WifiRssiDbm();

        /// <summary>The text stored under name, or null when there is none or it cannot be read. Never throws.</summary>
        string ReadText(string name);

        /// <summary>Stores text under name, replacing what was there. Returns false on failure. Never throws.</summary>
        bool WriteText(string name, string text);

        void Delete(string name);

        /// <summary>Restarts the device now. On .NET (the virtual MCU) the process exits with a code its supervisor restarts.</summary>
        void Reboot();
    }
}
