using Kiosk.DeviceContract;
using Kiosk.Firmware.Platform;

namespace Kiosk.Firmware.App
{
    /// <summary>
    /// nanoFramework has no managed API for the ESP32's hardware watchdog, so this is ours: the main loop feeds it every
    /// step, a supervisor thread checks it, and when the loop has made no progress for the timeout (a driver stuck in a
    /// read, a deadlock) it writes a record to the device's storage and reboots. The next start reads the record, so the
    /// status says "watchdog" instead of "power-on".
    /// </summary>
    public class SoftwareWatchdog
    {
        /// <summary>The storage entry that survives the reboot: its text is the reason's name.</summary>
        public const string RecordName = "last-reboot";

        private readonly IClock _clock;
        private readonly IDevicePlatform _platform;
        private readonly ILog _log;
        private readonly int _timeoutMilliseconds;
        private readonly object _sync = new object();
        private long _lastFed;
        private bool _stopped;
        private bool _fired;

        public SoftwareWatchdog(IClock clock, IDevicePlatform platform, ILog log, int timeoutMilliseconds)
        {
            _clock = clock;
            _platform = platform;
            _log = log;
            _timeoutMilliseconds = timeoutMilliseconds;
            _lastFed = clock.NowMilliseconds;
        }

        /// <summary>The main loop made progress.</summary>
        public void Feed()
        {
            lock (_sync) { _lastFed = _clock.NowMilliseconds; }
        }

        /// <summary>
        /// One check of the supervisor: reboots (after writing the record) when the loop has not fed the watchdog within
        /// the timeout. Returns true when it fired.
        /// </summary>
        public bool Check()
        {
            long starved;
            lock (_sync)
            {
                if (_stopped || _fired) return false;
                starved = _clock.NowMilliseconds - _lastFed;
                if (starved < _timeoutMilliseconds) return false;
                _fired = true;
            }
            _log.Info("watchdog: main loop stalled for " + starved.ToString() + " ms; rebooting");
            _platform.WriteText(RecordName, Payloads.StartReasonName(StartReason.Watchdog));
            _platform.Reboot();
            return true;
        }

        /// <summary>The supervisor thread's body: checks four times per timeout until stopped or fired.</summary>
        public void Run()
        {
            int pause = _timeoutMilliseconds / 4;
            if (pause < 10) pause = 10;
            while (true)
            {
                lock (_sync)
                {
                    if (_stopped || _fired) return;
                }
                System.Threading.Thread.Sleep(pause);
                Check();
            }
        }

        public void Stop()
        {
            lock (_sync) { _stopped = true; }
        }

        /// <summary>
        /// Why this start happened: the firmware's own record of its last reboot when there is one (read once, then
        /// deleted), else what the platform says.
        /// </summary>
        public static StartReason DetermineStartReason(IDevicePlatform platform)
        {
            string record = platform.ReadText(RecordName);
            if (record != null)
            {
                platform.Delete(RecordName);
                StartReason recorded = Payloads.StartReasonFromName(record.Trim());
                if (recorded == StartReason.Watchdog || recorded == StartReason.Requested) return recorded;
            }
            return platform.PlatformStartReason;
        }
    }
}
