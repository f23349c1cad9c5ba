namespace Kiosk.Emrtd.Iso7816;

/// <summary>ISO/IEC 7816-4 status words met in eMRTD reading (emrtd.md §5).</summary>
public static class StatusWords
{
    public const ushort Success = 0x9000;
    public const ushort EndOfFileBeforeLe = 0x6282;
    public const ushort SelectedFileInvalidated = 0x6283;
    public const ushort AuthenticationFailed = 0x6300;
    public const ushort WrongLength = 0x6700;
    public const ushort SecureMessagingNotSupported = 0x6882;
    public const ushort SecurityStatusNotSatisfied = 0x6982;
    public const ushort ConditionsOfUseNotSatisfied = 0x6985;
    public const ushort SecureMessagingObjectsMissing = 0x6987;
    public const ushort SecureMessagingObjectsIncorrect = 0x6988;
    public const ushort IncorrectData = 0x6A80;
    public const ushort FileNotFound = 0x6A82;
    public const ushort IncorrectP1P2 = 0x6A86;
    public const ushort LcInconsistentWithP1P2 = 0x6A87;
    public const ushort WrongParameters = 0x6B00;
    public const ushort InstructionNotSupported = 0x6D00;
    public const ushort ClassNotSupported = 0x6E00;

    /// <summary>6Cxx: wrong Le, xx is the exact number of bytes available.</summary>
    public static bool IsWrongLeWithExactLength(ushort statusWord) => (statusWord & 0xFF00) == 0x6C00;
}
