namespace Kiosk.Emrtd.Iso7816;

/// <summary>
/// A command APDU (ISO/IEC 7816-4 §5.1) in short or extended length. <see cref="Ne"/> is the number of response bytes
/// expected: 0 means no Le field, 256 is short Le 00, 65536 is extended Le 0000.
/// </summary>
public sealed record CommandApdu(byte Cla, byte Ins, byte P1, byte P2, byte[] Data, int Ne = 0)
{
    public const int MaxShortNe = 256;
    public const int MaxExtendedNe = 65536;

    public byte[] Header => [Cla, Ins, P1, P2];

    public bool IsExtended => Data.Length > 255 || Ne > MaxShortNe;

    public byte[] Encode()
    {
        if (Data.Length > 65535) throw new MalformedDataException($"[CommandApdu.Encode] {Data.Length} data bytes exceed an extended Lc");
        if (Ne is < 0 or > MaxExtendedNe) throw new MalformedDataException($"[CommandApdu.Encode] Ne {Ne} is out of range");
        var bytes = new List<byte>(Data.Length + 9) { Cla, Ins, P1, P2 };
        if (!IsExtended)
        {
            if (Data.Length > 0) { bytes.Add((byte)Data.Length); bytes.AddRange(Data); }
            if (Ne > 0) bytes.Add((byte)(Ne == MaxShortNe ? 0 : Ne));
            return bytes.ToArray();
        }
        bytes.Add(0);
        if (Data.Length > 0) { bytes.Add((byte)(Data.Length >> 8)); bytes.Add((byte)Data.Length); bytes.AddRange(Data); }
        if (Ne > 0)
        {
            int le = Ne == MaxExtendedNe ? 0 : Ne;
            bytes.Add((byte)(le >> 8));
            bytes.Add((byte)le);
        }
        return bytes.ToArray();
    }

    /// <summary>Parses the seven cases of ISO/IEC 7816-3 §12.1 (1, 2S, 3S, 4S, 2E, 3E, 4E).</summary>
    public static CommandApdu Parse(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length < 4) throw new MalformedDataException($"[CommandApdu.Parse] {apdu.Length} bytes are shorter than a header");
        byte cla = apdu[0], ins = apdu[1], p1 = apdu[2], p2 = apdu[3];
        ReadOnlySpan<byte> body = apdu[4..];
        if (body.Length == 0) return new CommandApdu(cla, ins, p1, p2, []);
        if (body.Length == 1) return new CommandApdu(cla, ins, p1, p2, [], body[0] == 0 ? MaxShortNe : body[0]);
        if (body[0] != 0)
        {
            int lc = body[0];
            if (body.Length == 1 + lc) return new CommandApdu(cla, ins, p1, p2, body.Slice(1, lc).ToArray());
            if (body.Length == 2 + lc)
                return new CommandApdu(cla, ins, p1, p2, body.Slice(1, lc).ToArray(), body[1 + lc] == 0 ? MaxShortNe : body[1 + lc]);
            throw new MalformedDataException($"[CommandApdu.Parse] short Lc {lc} does not match {body.Length} body bytes");
        }
        if (body.Length == 3) return new CommandApdu(cla, ins, p1, p2, [], ExtendedNe(body[1], body[2]));
        if (body.Length < 3) throw new MalformedDataException($"[CommandApdu.Parse] {body.Length} body bytes after an extended marker");
        int extendedLc = (body[1] << 8) | body[2];
        if (extendedLc == 0) throw new MalformedDataException("[CommandApdu.Parse] extended Lc of zero");
        if (body.Length == 3 + extendedLc) return new CommandApdu(cla, ins, p1, p2, body.Slice(3, extendedLc).ToArray());
        if (body.Length == 5 + extendedLc)
            return new CommandApdu(cla, ins, p1, p2, body.Slice(3, extendedLc).ToArray(), ExtendedNe(body[3 + extendedLc], body[4 + extendedLc]));
        throw new MalformedDataException($"[CommandApdu.Parse] extended Lc {extendedLc} does not match {body.Length} body bytes");
    }

    private static int ExtendedNe(byte high, byte low)
    {
        int le = (high << 8) | low;
        return le == 0 ? MaxExtendedNe : le;
    }
}
