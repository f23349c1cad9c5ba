namespace Kiosk.Simulators.VirtualCard.Applet;

/// <summary>ISO/IEC 7816-4 status words the virtual card answers with (emrtd.md §5).</summary>
public static class StatusWords
{
    public const ushort Success = 0x9000;
    public const ushort AuthenticationFailed = 0x6300;
    public const ushort WrongLength = 0x6700;
    public const ushort SecurityStatusNotSatisfied = 0x6982;
    public const ushort ConditionsOfUseNotSatisfied = 0x6985;
    public const ushort SecureMessagingObjectsIncorrect = 0x6988;
    public const ushort IncorrectData = 0x6A80;
    public const ushort CommandNotAllowedNoCurrentEf = 0x6986;
    public const ushort FileNotFound = 0x6A82;
    public const ushort IncorrectP1P2 = 0x6A86;
    public const ushort WrongParametersOffset = 0x6B00;
    public const ushort InstructionNotSupported = 0x6D00;
    public const ushort ClassNotSupported = 0x6E00;

    public static byte[] Only(ushort statusWord) => [(byte)(statusWord >> 8), (byte)statusWord];

    public static byte[] WithData(ReadOnlySpan<byte> data, ushort statusWord)
    {
        byte[] response = new byte[data.Length + 2];
        data.CopyTo(response);
        response[^2] = (byte)(statusWord >> 8);
        response[^1] = (byte)statusWord;
        return response;
    }
}
