namespace Kiosk.Firmware.Platform
{
    /// <summary>Time as the firmware sees it: injected so tests drive the main loop and the drivers' timeouts step by step.</summary>
    public interface IClock
    {
        /// <summary>Milliseconds on a monotonic scale (never the wall clock, which jumps when it is set); only differences are used.</summary>
        long NowMilliseconds { get; }

        void Sleep(int milliseconds);
    }
}
