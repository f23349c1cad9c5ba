namespace Kiosk.Host.Card;

/// <summary>A response APDU: data and status word.</summary>
public readonly record struct ResponseApdu(byte[] Data, ushort StatusWord)
{
    public bool IsSuccess => StatusWord == 0x9000;

    public static ResponseApdu Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2) throw new CardDataException(CardDataError.Truncated, "response APDU shorter than SW1 SW2");
        return new ResponseApdu(bytes[..^2].ToArray(), (ushort)((bytes[^2] << 8) | bytes[^1]));
    }
}

/// <summary>Builders for the ISO 7816-4 command APDUs the reader uses (short length only).</summary>
public static class Apdus
{
    public static readonly byte[] EmrtdAid = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

    /// <summary>SELECT by DF name (AID), no FCI: <c>00 A4 04 0C Lc AID</c>.</summary>
    public static byte[] SelectApplication(ReadOnlySpan<byte> aid) => [0x00, 0xA4, 0x04, 0x0C, (byte)aid.Length, .. aid];

    /// <summary>SELECT EF by file id under the current DF, no FCI: <c>00 A4 02 0C 02 FID</c>.</summary>
    public static byte[] SelectFile(ushort fid) => [0x00, 0xA4, 0x02, 0x0C, 0x02, (byte)(fid >> 8), (byte)fid];

    /// <summary>READ BINARY at a 15-bit offset: <c>00 B0 P1 P2 Le</c>.</summary>
    public static byte[] ReadBinary(int offset, int le)
    {
        if (offset is < 0 or > 0x7FFF) throw new ArgumentOutOfRangeException(nameof(offset));
        if (le is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(le));
        return [0x00, 0xB0, (byte)(offset >> 8), (byte)offset, (byte)(le == 256 ? 0 : le)];
    }
}
