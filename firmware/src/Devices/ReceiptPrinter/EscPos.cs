using Kiosk.DeviceContract;

namespace Kiosk.Firmware.Devices.ReceiptPrinter
{
    /// <summary>
    /// The ESC/POS bytes the firmware itself sends (the receipts are built by the host) and the real-time status
    /// answers it parses. Pure functions over bytes.
    /// </summary>
    public static class EscPos
    {
        public const byte Dle = 0x10;
        public const byte Eot = 0x04;
        /// <summary>DLE EOT n = 2: off-line status (cover, paper-end stop, error).</summary>
        public const byte StatusOffline = 2;
        /// <summary>DLE EOT n = 4: paper roll sensor status.</summary>
        public const byte StatusPaperRoll = 4;

        public const byte CoverOpenBit = 0x04;
        public const byte PaperNearEndBits = 0x0C;
        public const byte PaperOutBits = 0x60;

        public static byte[] StatusRequest(byte n) { return new byte[] { Dle, Eot, n }; }

        /// <summary>
        /// A real-time status byte always has bit 0 and bit 7 clear (Epson); anything else is line noise or the tail of
        /// another answer, not a status.
        /// </summary>
        public static bool IsStatusByte(byte value) { return (value & 0x81) == 0; }

        /// <summary>Bit 2 of the DLE EOT 2 answer: the cover is open.</summary>
        public static bool IsCoverOpen(byte offlineStatus) { return (offlineStatus & CoverOpenBit) != 0; }

        /// <summary>Bits 5,6 of the DLE EOT 4 answer: paper not present; bits 2,3: paper near its end.</summary>
        public static PaperLevel ParsePaperLevel(byte paperStatus)
        {
            if ((paperStatus & PaperOutBits) != 0) return PaperLevel.Out;
            if ((paperStatus & PaperNearEndBits) != 0) return PaperLevel.NearEnd;
            return PaperLevel.Ok;
        }
    }
}
