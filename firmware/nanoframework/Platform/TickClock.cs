namespace Kiosk.Firmware.Platform
{
    /// <summary>
    /// The firmware's clock: milliseconds since boot, which never jump. The wall clock does (the device sets it from the
    /// Pi's time server after joining Wi-Fi, and a later correction would move every timer of the main loop), so the
    /// loop's timers do not use it. Environment.TickCount64 lives in nanoFramework.Runtime.Native on the device (not in
    /// mscorlib, hence this file is not in ../src) and in the base library on .NET, where the virtual MCU compiles the
    /// same file.
    /// </summary>
    public class TickClock : IClock
    {
        public long NowMilliseconds
        {
            get { return System.Environment.TickCount64; }
        }

        public void Sleep(int milliseconds)
        {
            if (milliseconds > 0) System.Threading.Thread.Sleep(milliseconds);
        }
    }
}
