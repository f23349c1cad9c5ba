namespace Kiosk.Simulators.Peripherals.Pn532;

/// <summary>
/// How long the PN532 takes for its work on the RF side. Deliberately simple, and the only place that knows about
/// time on the air, so a later refinement (real ISO 14443-4 block sizes, FWI from the ATS, UART time at 115200 baud)
/// changes this class alone.
///
/// Model: every byte on the air costs 10 bit times (8 data bits, parity and a share of the start/stop framing),
/// each ISO-DEP block adds 3 bytes (PCB + CRC_A), and the card thinks for a fixed frame-waiting time per exchange.
/// At 106 kbit/s a 258-byte READ BINARY answer costs about 25 ms + 2 ms.
/// </summary>
public static class AirInterfaceTiming
{
    public const int DefaultBitRateKbps = 106;
    public const int BitsPerByte = 10;
    public const int BlockOverheadBytes = 3;
    public static readonly TimeSpan CardProcessingTime = TimeSpan.FromMilliseconds(2);
    /// <summary>REQA, anticollision, SELECT, RATS/ATS: a handful of short frames.</summary>
    public static readonly TimeSpan ActivationTime = TimeSpan.FromMilliseconds(5);
    /// <summary>One polling attempt that finds no card before InListPassiveTarget gives up with no target.</summary>
    public static readonly TimeSpan EmptyPollTime = TimeSpan.FromMilliseconds(20);

    /// <summary>Time of one InDataExchange: command and answer on the air plus the card's processing.</summary>
    public static TimeSpan Exchange(int commandBytes, int responseBytes, int bitRateKbps = DefaultBitRateKbps)
    {
        long bits = (long)(commandBytes + BlockOverheadBytes + responseBytes + BlockOverheadBytes) * BitsPerByte;
        double milliseconds = bits / (double)bitRateKbps; // kbit/s = bits per millisecond
        return TimeSpan.FromMilliseconds(milliseconds) + CardProcessingTime;
    }
}
