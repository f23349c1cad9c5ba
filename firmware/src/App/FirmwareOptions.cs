namespace Kiosk.Firmware.App
{
    /// <summary>The firmware's settings. Defaults follow docs/mqtt.md and the brief's polling periods.</summary>
    public class FirmwareOptions
    {
        /// <summary>Letters, digits and '-' (docs/mqtt.md); also the MQTT user name.</summary>
        public string DeviceId = "mcu-01";
        public string FirmwareVersion = "0.1.0";

        public int CardSearchIntervalMilliseconds = 200;
        public int CardPresenceIntervalMilliseconds = 300;
        public int FingerPollIntervalMilliseconds = 300;
        public int PrinterPollIntervalMilliseconds = 5000;
        /// <summary>How often a peripheral that is absent or in error is probed again.</summary>
        public int ReprobeIntervalMilliseconds = 5000;
        /// <summary>First wait after a failed broker connection; doubles per failure up to the maximum (with jitter).</summary>
        public int ReconnectIntervalMilliseconds = 1000;
        public int MaxReconnectIntervalMilliseconds = 30000;
        /// <summary>How often the retained status (uptime, free memory, Wi-Fi signal) is refreshed.</summary>
        public int StatusIntervalMilliseconds = 60000;
        /// <summary>
        /// The software watchdog reboots the device when the main loop has not completed a step for this long. Longer
        /// than the slowest legitimate step: a broker connection attempt (TCP, TLS handshake, then up to 30 s for the
        /// CONNACK in M2Mqtt) plus a print job streamed to a slow printer.
        /// </summary>
        public int WatchdogTimeoutMilliseconds = 120000;
        /// <summary>Request keys (requester/id) remembered to drop a redelivered request instead of serving it twice.</summary>
        public int RememberedRequests = 32;
        /// <summary>The main loop's pause between steps.</summary>
        public int LoopSleepMilliseconds = 20;
        /// <summary>Failed calls in a row after which a working peripheral is reported as "error".</summary>
        public int FailuresBeforeError = 3;
        /// <summary>Requests waiting for the main loop; more than this are answered Timeout at once (the host is flooding us).</summary>
        public int MaxQueuedRequests = 8;
        /// <summary>
        /// Fastest bit rate (kbit/s) negotiated with a card after activation (InPSL). The PN532 does 212 and 424 on
        /// ISO 14443-4; 106 turns negotiation off.
        /// </summary>
        public int MaxBitRateKbps = 424;
        /// <summary>Requests closer together than this are one burst (a card read); card, finger and printer polls wait.</summary>
        public int RequestBurstMilliseconds = 300;
        /// <summary>Longest a burst defers the polls before they run once anyway.</summary>
        public int MaxPollDeferralMilliseconds = 2000;
    }
}
