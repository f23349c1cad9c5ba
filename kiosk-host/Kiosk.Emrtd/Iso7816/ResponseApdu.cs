namespace Kiosk.Emrtd.Iso7816;

/// <summary>A response APDU: data followed by the two status bytes SW1 SW2.</summary>
public sealed record ResponseApdu(byte[] Data, ushort StatusWord)
{
    public bool IsSuccess => StatusWord == StatusWords.Success;

    public byte[] Encode()
    {
        byte[] bytes = new byte[Data.Length + 2];
        Data.CopyTo(bytes, 0);
        bytes[^2] = (byte)(StatusWord >> 8);
        bytes[^1] = (byte)StatusWord;
        return bytes;
    }

    public static ResponseApdu Parse(ReadOnlySpan<byte> response)
    {
        if (response.Length < 2) throw new MalformedDataException($"[ResponseApdu.Parse] {response.Length} bytes hold no status word");
        return new ResponseApdu(response[..^2].ToArray(), (ushort)((response[^2] << 8) | response[^1]));
    }

    public static ResponseApdu Status(ushort statusWord) => new([], statusWord);
}
