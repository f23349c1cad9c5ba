using System.Text;

namespace Kiosk.Host.Tests.Support;

/// <summary>Hand-built DER for test vectors.</summary>
public static class Der
{
    public static byte[] Tlv(int tag, params byte[][] content)
    {
        var value = content.SelectMany(c => c).ToArray();
        var tagBytes = tag > 0xFF ? new[] { (byte)(tag >> 8), (byte)tag } : new[] { (byte)tag };
        byte[] len = value.Length switch
        {
            < 0x80 => [(byte)value.Length],
            <= 0xFF => [0x81, (byte)value.Length],
            _ => [0x82, (byte)(value.Length >> 8), (byte)value.Length],
        };
        return [.. tagBytes, .. len, .. value];
    }

    public static byte[] Int(int n) => Tlv(0x02, [(byte)n]);
    public static byte[] Utf8(string s) => Tlv(0x0C, Encoding.UTF8.GetBytes(s));
    public static byte[] Printable(string s) => Tlv(0x13, Encoding.ASCII.GetBytes(s));
    public static byte[] Seq(params byte[][] c) => Tlv(0x30, c);
    public static byte[] Set(params byte[][] c) => Tlv(0x31, c);
    public static byte[] Field(int n, params byte[][] values) => Seq([Int(n), .. values]);

    public static readonly byte[] Utf8Oid = [0x06, 0x06, 0x28, 0xD3, 0x16, 0x01, 0x00, 0x08];

    public static byte[] Dg13(params byte[][] fields) => Tlv(0x6D, Seq(Int(1), Utf8Oid, Set(fields)));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
