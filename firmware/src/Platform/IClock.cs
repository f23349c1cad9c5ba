namespace Kiosk.Firmware.Platform
{
    /// <summary>Time as the firmware sees it: injected so tests drive the main loop and the drivers' timeouts step by step.</summary>
    public interface IClock
    {
        /// <summary>Milliseconds on a monotonic-enough scale; only differences are used.</summary>
        long NowMilliseconds { get; }

        void Sleep(int milliseconds);
    }

    /// <summary>The real clock, available on nanoFramework and .NET alike.</summary>
    public class SystemClock : IClock
    {
        public long NowMilliseconds
        {
            get { return System.DateTime.UtcNow.Ticks / System.TimeSpan.TicksPerMillisecond; }
        }

        public void Sleep(int milliseconds)
        {
            if (milliseconds > 0) System.Threading.Thread.Sleep(milliseconds);
        }
    }
}
