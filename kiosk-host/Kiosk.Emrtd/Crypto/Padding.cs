namespace Kiosk.Emrtd.Crypto;

/// <summary>ISO/IEC 9797-1 padding method 2: append 80, then 00 up to a whole block (always at least one byte).</summary>
public static class Padding
{
    public static byte[] Pad(ReadOnlySpan<byte> data, int blockSize)
    {
        int paddedLength = (data.Length / blockSize + 1) * blockSize;
        byte[] padded = new byte[paddedLength];
        data.CopyTo(padded);
        padded[data.Length] = 0x80;
        return padded;
    }

    public static byte[] Unpad(ReadOnlySpan<byte> padded)
    {
        int index = padded.Length - 1;
        while (index >= 0 && padded[index] == 0x00) index--;
        if (index < 0 || padded[index] != 0x80) throw new MalformedDataException("[Padding.Unpad] no 80 padding marker");
        return padded[..index].ToArray();
    }
}
