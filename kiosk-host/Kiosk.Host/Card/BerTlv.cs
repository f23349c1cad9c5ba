namespace Kiosk.Host.Card;

/// <summary>One BER-TLV data object: tag (up to 3 bytes, as an int), whether it is constructed, and its value.</summary>
public readonly record struct Tlv(int Tag, bool Constructed, ReadOnlyMemory<byte> Value)
{
    /// <summary>The children of a constructed object.</summary>
    public IReadOnlyList<Tlv> Children() => BerTlv.ReadAll(Value);
}

/// <summary>
/// A bounded BER-TLV reader (ISO/IEC 7816-4 / X.690 subset used by eMRTD files): tags of 1–3 bytes, definite lengths
/// of up to 3 length bytes (0x83). Every malformed input ends in a <see cref="CardDataException"/>.
/// </summary>
public static class BerTlv
{
    /// <summary>Largest value length accepted (an eMRTD EF is at most 32 KiB for plain READ BINARY).</summary>
    public const int MaxLength = 0xFFFFFF;

    /// <summary>Reads the tag and length at the start of <paramref name="data"/>: returns the header size and value length.</summary>
    public static (int Tag, bool Constructed, int HeaderLength, int ValueLength) ReadHeader(ReadOnlySpan<byte> data)
    {
        var pos = 0;
        if (data.Length < 1) throw new CardDataException(CardDataError.Truncated, "TLV: no tag");
        int first = data[pos++];
        var constructed = (first & 0x20) != 0;
        var tag = first;
        if ((first & 0x1F) == 0x1F)
        {
            var more = 0;
            while (true)
            {
                if (pos >= data.Length) throw new CardDataException(CardDataError.Truncated, "TLV: tag cut short");
                int b = data[pos++];
                tag = (tag << 8) | b;
                if ((b & 0x80) == 0) break;
                if (++more >= 2) throw new CardDataException(CardDataError.UnexpectedTag, "TLV: tag longer than 3 bytes");
            }
        }

        if (pos >= data.Length) throw new CardDataException(CardDataError.Truncated, $"TLV {tag:X}: no length");
        int lengthByte = data[pos++];
        int length;
        if (lengthByte < 0x80)
        {
            length = lengthByte;
        }
        else
        {
            var count = lengthByte & 0x7F;
            if (count == 0) throw new CardDataException(CardDataError.UnsupportedLength, $"TLV {tag:X}: indefinite length");
            if (count > 3) throw new CardDataException(CardDataError.LengthTooLarge, $"TLV {tag:X}: {count} length bytes");
            if (pos + count > data.Length) throw new CardDataException(CardDataError.Truncated, $"TLV {tag:X}: length cut short");
            length = 0;
            for (var i = 0; i < count; i++) length = (length << 8) | data[pos++];
        }
        return (tag, constructed, pos, length);
    }

    /// <summary>Reads one object at the start of <paramref name="data"/>; <paramref name="consumed"/> is its full size.</summary>
    public static Tlv ReadOne(ReadOnlyMemory<byte> data, out int consumed)
    {
        var (tag, constructed, header, length) = ReadHeader(data.Span);
        if (length > data.Length - header)
            throw new CardDataException(CardDataError.Truncated, $"TLV {tag:X}: value needs {length} bytes, {data.Length - header} left");
        consumed = header + length;
        return new Tlv(tag, constructed, data.Slice(header, length));
    }

    /// <summary>Reads exactly one object that must have <paramref name="expectedTag"/> and fill the input.</summary>
    public static Tlv ReadExpected(ReadOnlyMemory<byte> data, int expectedTag)
    {
        var tlv = ReadOne(data, out _);
        if (tlv.Tag != expectedTag)
            throw new CardDataException(CardDataError.UnexpectedTag, $"TLV: expected tag {expectedTag:X}, found {tlv.Tag:X}");
        return tlv;
    }

    /// <summary>Reads consecutive objects until the end of <paramref name="data"/>.</summary>
    public static IReadOnlyList<Tlv> ReadAll(ReadOnlyMemory<byte> data)
    {
        var list = new List<Tlv>();
        var offset = 0;
        while (offset < data.Length)
        {
            list.Add(ReadOne(data[offset..], out var used));
            offset += used;
        }
        return list;
    }

    /// <summary>First child with the tag, or null.</summary>
    public static Tlv? Find(IEnumerable<Tlv> items, int tag)
    {
        foreach (var t in items) if (t.Tag == tag) return t;
        return null;
    }
}
