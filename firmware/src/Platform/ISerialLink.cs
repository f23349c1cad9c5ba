namespace Kiosk.Firmware.Platform
{
    /// <summary>
    /// A byte pipe to one peripheral: a UART on the ESP32, a TCP serial bridge in the virtual MCU, a script in tests.
    /// Implementations never throw for a peripheral that is missing or unplugged: writes are dropped and reads time out,
    /// so the drivers see silence and report Timeout.
    /// </summary>
    public interface ISerialLink
    {
        void Write(byte[] buffer, int offset, int count);

        /// <summary>
        /// Waits up to timeoutMilliseconds for at least one byte, then returns what has arrived (at most count bytes)
        /// without waiting to fill the buffer. Returns 0 when nothing arrived in time.
        /// </summary>
        int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds);

        /// <summary>Drops bytes received but not yet read (stale answers of an earlier, abandoned command).</summary>
        void DiscardInput();
    }
}
