namespace Simulators.Tests;

internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

/// <summary>A BER-TLV node, decoded by the tests' own small parser (independent of the simulator's encoder).</summary>
internal sealed record TlvNode(int Tag, byte[] Value, IReadOnlyList<TlvNode> Children)
{
    public static TlvNode ParseSingle(byte[] data)
    {
        int position = 0;
        TlvNode node = Parse(data, ref position);
        Assert.Equal(data.Length, position);
        return node;
    }

    public static List<TlvNode> ParseAll(byte[] data)
    {
        var nodes = new List<TlvNode>();
        int position = 0;
        while (position < data.Length) nodes.Add(Parse(data, ref position));
        return nodes;
    }

    private static TlvNode Parse(byte[] data, ref int position)
    {
        int first = data[position++];
        int tag = first;
        if ((first & 0x1F) == 0x1F)
        {
            int next;
            do
            {
                next = data[position++];
                tag = (tag << 8) | next;
            } while ((next & 0x80) != 0);
        }
        int length = data[position++];
        if (length > 0x80)
        {
            int count = length & 0x7F;
            length = 0;
            for (int i = 0; i < count; i++) length = (length << 8) | data[position++];
        }
        byte[] value = data.AsSpan(position, length).ToArray();
        position += length;
        bool constructed = (first & 0x20) != 0;
        return new TlvNode(tag, value, constructed ? ParseAll(value) : []);
    }
}
