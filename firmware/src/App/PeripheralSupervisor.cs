using Kiosk.DeviceContract;

namespace Kiosk.Firmware.App
{
    /// <summary>
    /// The health of one peripheral as the main loop sees it (DeviceStatus' reader, fingerprint and printer fields):
    /// Absent when it did not answer at start-up, Ok while it answers, Error after FailuresBeforeError failures in a row;
    /// while not Ok it is probed again every ReprobeIntervalMilliseconds. One object per peripheral, so the three follow
    /// the same rules.
    /// </summary>
    public class PeripheralSupervisor
    {
        private readonly int _failuresBeforeError;
        private readonly int _reprobeIntervalMilliseconds;
        private PeripheralHealth _health = PeripheralHealth.Absent;
        private int _failures;
        private long _nextProbe;

        public PeripheralSupervisor(int failuresBeforeError, int reprobeIntervalMilliseconds)
        {
            _failuresBeforeError = failuresBeforeError;
            _reprobeIntervalMilliseconds = reprobeIntervalMilliseconds;
        }

        public PeripheralHealth Health { get { return _health; } }

        public bool IsOk { get { return _health == PeripheralHealth.Ok; } }

        public int FailuresInARow { get { return _failures; } }

        /// <summary>The start-up probe's outcome: Ok, or Absent with a probe due after the interval.</summary>
        public void StartedUp(bool answered, long now)
        {
            _health = answered ? PeripheralHealth.Ok : PeripheralHealth.Absent;
            _failures = 0;
            _nextProbe = now + _reprobeIntervalMilliseconds;
        }

        /// <summary>A call answered. Returns true when that brought a missing or failed peripheral back to Ok.</summary>
        public bool Succeeded()
        {
            _failures = 0;
            if (_health == PeripheralHealth.Ok) return false;
            _health = PeripheralHealth.Ok;
            return true;
        }

        /// <summary>A call failed. Returns true when this failure turned a working peripheral to Error.</summary>
        public bool Failed(long now)
        {
            _failures++;
            if (_health != PeripheralHealth.Ok || _failures < _failuresBeforeError) return false;
            _health = PeripheralHealth.Error;
            _nextProbe = now + _reprobeIntervalMilliseconds;
            return true;
        }

        /// <summary>True when a peripheral that is not Ok is due for a probe; the next one is then scheduled.</summary>
        public bool ProbeDue(long now)
        {
            if (_health == PeripheralHealth.Ok || now < _nextProbe) return false;
            _nextProbe = now + _reprobeIntervalMilliseconds;
            return true;
        }
    }
}
