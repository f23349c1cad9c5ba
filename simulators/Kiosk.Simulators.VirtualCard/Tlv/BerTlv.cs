namespace Kiosk.Simulators.VirtualCard.Tlv;

/// <summary>
/// BER-TLV encoding as used by the LDS (ICAO 9303 Part 10) and ASN.1 DER: tags of one or more bytes written as given,
/// lengths in short form up to 127 and long form (81 xx, 82 xx xx, 83 xx xx xx) above. Pure functions over bytes.
/// </summary>
public static class BerTlv
{
    /// <summary>The length field alone: short form for 0..127, otherwise 0x80 + number of length bytes, big-endian.</summary>
    public static byte[] EncodeLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length < 0x80) return [(byte)length];
        if (length <= 0xFF) return [0x81, (byte)length];
        if (length <= 0xFFFF) return [0x82, (byte)(length >> 8), (byte)length];
        if (length <= 0xFFFFFF) return [0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length];
        return [0x84, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];
    }

    /// <summary>Tag bytes (e.g. 0x5F1F → 5F 1F, 0x61 → 61), length, value.</summary>
    public static byte[] Encode(int tag, ReadOnlySpan<byte> value)
    {
        byte[] tagBytes = EncodeTag(tag);
        byte[] lengthBytes = EncodeLength(value.Length);
        byte[] result = new byte[tagBytes.Length + lengthBytes.Length + value.Length];
        tagBytes.CopyTo(result, 0);
        lengthBytes.CopyTo(result, tagBytes.Length);
        value.CopyTo(result.AsSpan(tagBytes.Length + lengthBytes.Length));
        return result;
    }

    /// <summary>A constructed value: the children concatenated, then wrapped in one TLV.</summary>
    public static byte[] EncodeConstructed(int tag, params byte[][] children)
    {
        return Encode(tag, (ReadOnlySpan<byte>)Concat(children));
    }

    public static byte[] Concat(params byte[][] parts)
    {
        byte[] result = new byte[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }
        return result;
    }

    /// <summary>The tag as written on the wire: its significant bytes, most significant first.</summary>
    public static byte[] EncodeTag(int tag)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tag);
        if (tag <= 0xFF) return [(byte)tag];
        if (tag <= 0xFFFF) return [(byte)(tag >> 8), (byte)tag];
        if (tag <= 0xFFFFFF) return [(byte)(tag >> 16), (byte)(tag >> 8), (byte)tag];
        return [(byte)(tag >> 24), (byte)(tag >> 16), (byte)(tag >> 8), (byte)tag];
    }
}
