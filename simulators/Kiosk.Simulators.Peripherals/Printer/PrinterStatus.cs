using Kiosk.Simulators.Peripherals.State;

namespace Kiosk.Simulators.Peripherals.Printer;

/// <summary>
/// The one-byte answers to DLE EOT n (firmware-and-devices.md §5). Bits 1 and 4 (0x12) are fixed on in every byte.
/// </summary>
public static class PrinterStatus
{
    public const byte FixedBits = 0x12;
    /// <summary>n = 1, bit 3: the printer is off-line.</summary>
    public const byte Offline = 0x08;
    /// <summary>n = 2, bit 2: the cover is open.</summary>
    public const byte CoverOpen = 0x04;
    /// <summary>n = 2, bit 5: printing stopped because the paper ran out.</summary>
    public const byte StoppedAtPaperEnd = 0x20;
    /// <summary>n = 4, bits 2-3: the paper roll is near its end.</summary>
    public const byte PaperNearEnd = 0x0C;
    /// <summary>n = 4, bits 5-6: no paper.</summary>
    public const byte PaperOut = 0x60;

    /// <summary>The status byte for DLE EOT n, or null for an n the printer ignores.</summary>
    public static byte? For(int n, PrinterCondition condition) => n switch
    {
        1 => (byte)(FixedBits | (condition.IsOffline ? Offline : 0)),
        2 => (byte)(FixedBits | (condition.CoverOpen ? CoverOpen : 0) | (condition.Paper == PaperLevel.Out ? StoppedAtPaperEnd : 0)),
        3 => FixedBits,
        // With no paper at all, the near-end sensor sees no paper either, so both pairs of bits are on.
        4 => (byte)(FixedBits | condition.Paper switch
        {
            PaperLevel.NearEnd => PaperNearEnd,
            PaperLevel.Out => PaperNearEnd | PaperOut,
            _ => 0,
        }),
        _ => null,
    };
}
