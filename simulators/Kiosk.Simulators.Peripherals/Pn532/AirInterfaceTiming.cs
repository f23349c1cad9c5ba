namespace Kiosk.Simulators.Peripherals.Pn532;

/// <summary>
/// How long the PN532 takes for its work on the RF side: the only place that knows about time on the air.
///
/// Model (ISO/IEC 14443-2/-3/-4, kept simple and a little pessimistic):
/// <list type="bullet">
/// <item>Bit rates 106, 212, 424 and 848 kbit/s (1 kbit/s = 1 bit per millisecond).</item>
/// <item>Every byte costs <see cref="BitsPerByte"/> bit times (8 data bits plus parity or start/stop bits).</item>
/// <item>An APDU travels in ISO-DEP I-blocks: each carries at most FSC − 3 bytes towards the card (the card's FSC from
///   its ATS or ATQB) and FSD − 3 bytes back (the PN532's FSD, <see cref="ReaderFrameSize"/>); each block adds
///   <see cref="BlockOverheadBytes"/> (PCB, CRC) and <see cref="FrameOverheadBits"/> (SOF/EOF and the frame delay
///   between the two directions). Every chained block but the last is answered by an R(ACK) block.</item>
/// <item>The card thinks <see cref="CardProcessingTime"/> per APDU, but never longer than its frame waiting time
///   FWT = 256 · 16 / fc · 2^FWI (≈ 302 µs · 2^FWI).</item>
/// </list>
/// At 106 kbit/s a 5-byte READ BINARY with a 258-byte answer costs about 30 ms; at 424 kbit/s about 9 ms.
/// The same functions let a benchmark compute what the same bytes cost at another bit rate.
/// </summary>
public static class AirInterfaceTiming
{
    public const int DefaultBitRateKbps = 106;
    public static readonly IReadOnlyList<int> BitRates = [106, 212, 424, 848];

    public const int BitsPerByte = 10;
    /// <summary>PCB and CRC of every ISO-DEP block.</summary>
    public const int BlockOverheadBytes = 3;
    /// <summary>SOF and EOF, plus the frame delay time before the other side answers, in bit times.</summary>
    public const int FrameOverheadBits = 32;
    /// <summary>The PN532's own receive frame size (FSD): 256 bytes.</summary>
    public const int ReaderFrameSize = 256;
    /// <summary>FSC when the card says nothing (ISO 14443-4 default FSCI 2).</summary>
    public const int DefaultCardFrameSize = 32;
    /// <summary>FWI of the virtual card's ATS/ATQB (TB(1) = 0x81: FWI 8, ≈ 77 ms).</summary>
    public const int DefaultFwi = 8;

    public static readonly TimeSpan CardProcessingTime = TimeSpan.FromMilliseconds(2);
    /// <summary>REQA, anticollision, SELECT, RATS/ATS (or REQB/ATTRIB): a handful of short frames at 106 kbit/s.</summary>
    public static readonly TimeSpan ActivationTime = TimeSpan.FromMilliseconds(5);
    /// <summary>One polling attempt that finds no card before InListPassiveTarget gives up with no target.</summary>
    public static readonly TimeSpan EmptyPollTime = TimeSpan.FromMilliseconds(20);

    public static bool IsValidBitRate(int kbps) => kbps is 106 or 212 or 424 or 848;

    /// <summary>The frame waiting time for an FWI (0..14; 15 is read as the default 4).</summary>
    public static TimeSpan FrameWaitingTime(int fwi)
    {
        if (fwi is < 0 or > 14) fwi = 4;
        // 256 · 16 / 13.56 MHz = 302.06 µs per unit.
        return TimeSpan.FromTicks((long)(256.0 * 16 / 13.56e6 * (1 << fwi) * TimeSpan.TicksPerSecond));
    }

    /// <summary>Bit times of one frame carrying this many payload bytes (block overhead included).</summary>
    public static long FrameBits(int payloadBytes) => (long)(payloadBytes + BlockOverheadBytes) * BitsPerByte + FrameOverheadBits;

    /// <summary>Bit times to move one message in blocks of at most (frameSize − 3) payload bytes, R(ACK)s included.</summary>
    public static long MessageBits(int bytes, int frameSize)
    {
        int perBlock = Math.Max(1, frameSize - BlockOverheadBytes);
        int blocks = Math.Max(1, (bytes + perBlock - 1) / perBlock);
        long bits = 0;
        int left = bytes;
        for (int i = 0; i < blocks; i++)
        {
            int n = Math.Min(perBlock, left);
            left -= n;
            bits += FrameBits(n);
            if (i < blocks - 1) bits += FrameBits(0); // R(ACK) from the other side
        }
        return bits;
    }

    /// <summary>Time on the air of one APDU exchange (command out, answer back) plus the card's processing.</summary>
    public static TimeSpan Exchange(int commandBytes, int responseBytes, int bitRateKbps = DefaultBitRateKbps,
        int cardFrameSize = ReaderFrameSize, int fwi = DefaultFwi)
    {
        if (!IsValidBitRate(bitRateKbps)) throw new ArgumentOutOfRangeException(nameof(bitRateKbps), "106, 212, 424 or 848");
        long bits = MessageBits(commandBytes, cardFrameSize) + MessageBits(responseBytes, ReaderFrameSize);
        TimeSpan processing = CardProcessingTime < FrameWaitingTime(fwi) ? CardProcessingTime : FrameWaitingTime(fwi);
        return Bits(bits, bitRateKbps) + processing;
    }

    /// <summary>A card that has left the field: the PN532 waits one frame waiting time for an answer that never comes.</summary>
    public static TimeSpan NoAnswer(int commandBytes, int bitRateKbps = DefaultBitRateKbps, int cardFrameSize = ReaderFrameSize, int fwi = DefaultFwi) =>
        Bits(MessageBits(commandBytes, cardFrameSize), bitRateKbps) + FrameWaitingTime(fwi);

    /// <summary>PPS request and answer (PPSS PPS0 PPS1 / PPSS, each with CRC) at 106 kbit/s.</summary>
    public static TimeSpan BitRateSwitch() => Bits(FrameBits(3 - BlockOverheadBytes + 3) + FrameBits(1), DefaultBitRateKbps);

    /// <summary>The total of a list of exchanges (command and answer lengths) at one bit rate.</summary>
    public static TimeSpan Total(IEnumerable<(int Command, int Response)> exchanges, int bitRateKbps, int cardFrameSize = ReaderFrameSize, int fwi = DefaultFwi)
    {
        TimeSpan total = TimeSpan.Zero;
        foreach ((int command, int response) in exchanges) total += Exchange(command, response, bitRateKbps, cardFrameSize, fwi);
        return total;
    }

    private static TimeSpan Bits(long bits, int bitRateKbps) => TimeSpan.FromMilliseconds(bits / (double)bitRateKbps);
}
