namespace Firmware.Tests;

public static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
    public static string Of(byte[] bytes) => Convert.ToHexString(bytes);
    public static string Of(IEnumerable<byte> bytes) => Convert.ToHexString(bytes.ToArray());
}
