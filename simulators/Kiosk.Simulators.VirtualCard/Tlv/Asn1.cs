using System.Text;

namespace Kiosk.Simulators.VirtualCard.Tlv;

/// <summary>The few DER universal types DG13 uses, built on <see cref="BerTlv"/>.</summary>
public static class Asn1
{
    public const int IntegerTag = 0x02;
    public const int ObjectIdentifierTag = 0x06;
    public const int Utf8StringTag = 0x0C;
    public const int PrintableStringTag = 0x13;
    public const int SequenceTag = 0x30;
    public const int SetTag = 0x31;

    /// <summary>A small non-negative INTEGER (DER: minimal bytes, a leading 00 when the high bit is set).</summary>
    public static byte[] Integer(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var bytes = new List<byte>();
        do
        {
            bytes.Insert(0, (byte)value);
            value >>= 8;
        } while (value > 0);
        if ((bytes[0] & 0x80) != 0) bytes.Insert(0, 0x00);
        return BerTlv.Encode(IntegerTag, bytes.ToArray());
    }

    /// <summary>An OBJECT IDENTIFIER from its dotted form, e.g. "1.0.10646.1.0.8" → 06 06 28 D3 16 01 00 08.</summary>
    public static byte[] ObjectIdentifier(string dotted)
    {
        long[] arcs = dotted.Split('.').Select(long.Parse).ToArray();
        if (arcs.Length < 2) throw new ArgumentException("an OID has at least two arcs", nameof(dotted));
        var body = new List<byte>();
        AppendBase128(body, arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.Length; i++) AppendBase128(body, arcs[i]);
        return BerTlv.Encode(ObjectIdentifierTag, body.ToArray());
    }

    public static byte[] Utf8String(string text) => BerTlv.Encode(Utf8StringTag, Encoding.UTF8.GetBytes(text));

    /// <summary>PrintableString: digits, letters, space and a few punctuation marks (dates dd/mm/yyyy use '/').</summary>
    public static byte[] PrintableString(string text)
    {
        foreach (char c in text)
        {
            bool allowed = char.IsAsciiLetterOrDigit(c) || " '()+,-./:=?".Contains(c);
            if (!allowed) throw new ArgumentException("character not allowed in a PrintableString", nameof(text));
        }
        return BerTlv.Encode(PrintableStringTag, Encoding.ASCII.GetBytes(text));
    }

    public static byte[] Sequence(params byte[][] children) => BerTlv.EncodeConstructed(SequenceTag, children);

    public static byte[] Set(params byte[][] children) => BerTlv.EncodeConstructed(SetTag, children);

    private static void AppendBase128(List<byte> output, long value)
    {
        var groups = new Stack<byte>();
        groups.Push((byte)(value & 0x7F));
        value >>= 7;
        while (value > 0)
        {
            groups.Push((byte)(0x80 | (value & 0x7F)));
            value >>= 7;
        }
        output.AddRange(groups);
    }
}
