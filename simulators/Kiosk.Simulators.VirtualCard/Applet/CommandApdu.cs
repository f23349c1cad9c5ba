namespace Kiosk.Simulators.VirtualCard.Applet;

/// <summary>
/// A short command APDU (ISO/IEC 7816-4 §5.1): CLA INS P1 P2 [Lc data] [Le]. Ne is the number of response bytes
/// expected (Le 00 = 256), or null when the command has no Le.
/// </summary>
public sealed record CommandApdu(byte Cla, byte Ins, byte P1, byte P2, byte[] Data, int? Ne)
{
    /// <summary>Parses the four cases of short APDUs; null when the bytes are not one of them.</summary>
    public static CommandApdu? TryParse(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length < 4) return null;
        byte cla = apdu[0], ins = apdu[1], p1 = apdu[2], p2 = apdu[3];
        ReadOnlySpan<byte> body = apdu[4..];
        if (body.Length == 0) return new CommandApdu(cla, ins, p1, p2, [], null);
        if (body.Length == 1) return new CommandApdu(cla, ins, p1, p2, [], body[0] == 0 ? 256 : body[0]);
        int lc = body[0];
        if (lc == 0) return null; // an extended-length APDU: the virtual card, like the CCCD's default, does not take them
        if (body.Length == 1 + lc) return new CommandApdu(cla, ins, p1, p2, body.Slice(1, lc).ToArray(), null);
        if (body.Length == 2 + lc)
        {
            byte le = body[1 + lc];
            return new CommandApdu(cla, ins, p1, p2, body.Slice(1, lc).ToArray(), le == 0 ? 256 : le);
        }
        return null;
    }
}
