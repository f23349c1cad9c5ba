namespace Kiosk.Firmware.Platform
{
    /// <summary>
    /// Where the firmware writes what it does: Debug.WriteLine on the device, stdout in the virtual MCU.
    /// Callers pass only events, counts and result codes; never APDU or print payloads, card numbers or names.
    /// </summary>
    public interface ILog
    {
        void Info(string message);
    }

    public class DebugLog : ILog
    {
        public void Info(string message)
        {
            System.Diagnostics.Debug.WriteLine(message);
        }
    }
}
