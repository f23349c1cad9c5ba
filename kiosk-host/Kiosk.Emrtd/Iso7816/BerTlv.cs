namespace Kiosk.Emrtd.Iso7816;

/// <summary>One BER-TLV data object (ISO/IEC 7816-4 §5.2). <see cref="Encoded"/> is the whole object as it was read.</summary>
public sealed record Tlv(int Tag, byte[] Value, byte[] Encoded)
{
    /// <summary>Bit 6 of the first tag byte: the value is itself a sequence of data objects.</summary>
    public bool IsConstructed => ((Tag >> (8 * (TagLength(Tag) - 1))) & 0x20) != 0;

    internal static int TagLength(int tag) => tag > 0xFFFF ? 3 : tag > 0xFF ? 2 : 1;
}

/// <summary>BER-TLV encoding and decoding with bounded tags (≤ 3 bytes) and lengths (≤ 4 bytes after 8x).</summary>
public static class BerTlv
{
    public static byte[] Encode(int tag, ReadOnlySpan<byte> value)
    {
        var bytes = new List<byte>(value.Length + 8);
        for (int shift = 8 * (Tlv.TagLength(tag) - 1); shift >= 0; shift -= 8) bytes.Add((byte)(tag >> shift));
        bytes.AddRange(EncodeLength(value.Length));
        bytes.AddRange(value.ToArray());
        return bytes.ToArray();
    }

    public static byte[] EncodeLength(int length)
    {
        if (length < 0) throw new MalformedDataException($"[BerTlv.EncodeLength] negative length {length}");
        if (length < 0x80) return [(byte)length];
        if (length <= 0xFF) return [0x81, (byte)length];
        if (length <= 0xFFFF) return [0x82, (byte)(length >> 8), (byte)length];
        return [0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length];
    }

    /// <summary>Every data object at this level; the bytes must be exactly a sequence of objects.</summary>
    public static IReadOnlyList<Tlv> ParseAll(ReadOnlySpan<byte> data)
    {
        var objects = new List<Tlv>();
        int position = 0;
        while (position < data.Length)
        {
            // Some cards pad with 00 or FF between objects (ISO/IEC 7816-4 §5.2); they carry nothing.
            if (data[position] is 0x00 or 0xFF) { position++; continue; }
            objects.Add(ParseOne(data, ref position));
        }
        return objects;
    }

    /// <summary>Exactly one data object covering all the bytes.</summary>
    public static Tlv ParseSingle(ReadOnlySpan<byte> data)
    {
        int position = 0;
        Tlv tlv = ParseOne(data, ref position);
        if (position != data.Length)
            throw new MalformedDataException($"[BerTlv.ParseSingle] {data.Length - position} bytes follow tag {tlv.Tag:X}");
        return tlv;
    }

    /// <summary>The first object with this tag at this level, or null.</summary>
    public static Tlv? Find(IReadOnlyList<Tlv> objects, int tag)
    {
        foreach (Tlv tlv in objects) if (tlv.Tag == tag) return tlv;
        return null;
    }

    /// <summary>
    /// The tag and length at the start of <paramref name="data"/> without needing the value: false when the bytes end
    /// inside the header (a reader that fetched only the first bytes of a file reads more and asks again); a header that
    /// can never be valid is a <see cref="MalformedDataException"/>.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> data, out int tag, out int headerLength, out int valueLength)
    {
        tag = 0; headerLength = 0; valueLength = 0;
        int position = 0;
        if (data.Length == 0) return false;
        int t = data[position++];
        if ((t & 0x1F) == 0x1F)
        {
            int tagBytes = 1;
            while (true)
            {
                if (position >= data.Length) return false;
                if (++tagBytes > 3) throw new MalformedDataException("[BerTlv] tag longer than 3 bytes");
                byte next = data[position++];
                t = (t << 8) | next;
                if ((next & 0x80) == 0) break;
            }
        }
        if (position >= data.Length) return false;
        int first = data[position++];
        int length;
        if (first < 0x80) length = first;
        else
        {
            int lengthBytes = first & 0x7F;
            // Four length bytes are accepted here (up to 2^31 - 1) so a reader can refuse the size itself, with its own limit.
            if (lengthBytes is 0 or > 4) throw new MalformedDataException($"[BerTlv] tag {t:X} has an unsupported length form {first:X2}");
            if (position + lengthBytes > data.Length) return false;
            if (lengthBytes == 4 && data[position] >= 0x80) throw new MalformedDataException($"[BerTlv] tag {t:X} declares a length above 2^31");
            length = 0;
            for (int i = 0; i < lengthBytes; i++) length = (length << 8) | data[position++];
        }
        tag = t; headerLength = position; valueLength = length;
        return true;
    }

    public static Tlv ParseOne(ReadOnlySpan<byte> data, ref int position)
    {
        int start = position;
        if (position >= data.Length) throw new MalformedDataException("[BerTlv] no tag byte");
        int tag = data[position++];
        if ((tag & 0x1F) == 0x1F)
        {
            int tagBytes = 1;
            while (true)
            {
                if (position >= data.Length) throw new MalformedDataException("[BerTlv] tag runs past the end");
                if (++tagBytes > 3) throw new MalformedDataException("[BerTlv] tag longer than 3 bytes");
                byte next = data[position++];
                tag = (tag << 8) | next;
                if ((next & 0x80) == 0) break;
            }
        }
        if (position >= data.Length) throw new MalformedDataException($"[BerTlv] tag {tag:X} has no length");
        int first = data[position++];
        int length;
        if (first < 0x80) length = first;
        else
        {
            int lengthBytes = first & 0x7F;
            if (lengthBytes is 0 or > 3)
                throw new MalformedDataException($"[BerTlv] tag {tag:X} has an unsupported length form {first:X2}");
            if (position + lengthBytes > data.Length) throw new MalformedDataException($"[BerTlv] tag {tag:X} length runs past the end");
            length = 0;
            for (int i = 0; i < lengthBytes; i++) length = (length << 8) | data[position++];
        }
        if (length > data.Length - position)
            throw new MalformedDataException($"[BerTlv] tag {tag:X} declares {length} bytes, {data.Length - position} remain");
        byte[] value = data.Slice(position, length).ToArray();
        position += length;
        return new Tlv(tag, value, data[start..position].ToArray());
    }
}
