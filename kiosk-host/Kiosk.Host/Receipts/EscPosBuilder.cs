namespace Kiosk.Host.Receipts;

public enum QrErrorCorrection : byte { L = 48, M = 49, Q = 50, H = 51 }

/// <summary>
/// A pure ESC/POS job builder (Epson command set). Text goes through WPC1258 (code page 52). No I/O: the job is sent
/// to the firmware as one <c>cmd/print</c> payload.
/// </summary>
public sealed class EscPosBuilder
{
    private const byte Esc = 0x1B, Gs = 0x1D, Lf = 0x0A;
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    private EscPosBuilder Raw(params ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) _bytes.Add(b);
        return this;
    }

    /// <summary><c>ESC @</c>: reset the printer.</summary>
    public EscPosBuilder Initialize() => Raw(Esc, 0x40);

    /// <summary><c>ESC t n</c>: character code table (52 = WPC1258 Vietnamese).</summary>
    public EscPosBuilder CodePage(byte n) => Raw(Esc, 0x74, n);

    /// <summary><c>ESC a n</c>: 0 left, 1 centre, 2 right.</summary>
    public EscPosBuilder Align(byte n) => Raw(Esc, 0x61, n);

    /// <summary><c>ESC E n</c>.</summary>
    public EscPosBuilder Bold(bool on) => Raw(Esc, 0x45, (byte)(on ? 1 : 0));

    /// <summary><c>GS ! n</c>: width and height multipliers 1–8.</summary>
    public EscPosBuilder Size(int width, int height) =>
        Raw(Gs, 0x21, (byte)(((Math.Clamp(width, 1, 8) - 1) << 4) | (Math.Clamp(height, 1, 8) - 1)));

    /// <summary>Text in WPC1258, with control characters removed so text can never form a command.</summary>
    public EscPosBuilder Text(string text)
    {
        var clean = new string(text.Where(c => !char.IsControl(c)).ToArray());
        foreach (var b in Wpc1258.Encode(clean)) _bytes.Add(b);
        return this;
    }

    public EscPosBuilder Line(string text = "") => Text(text).Raw(Lf);

    /// <summary><c>ESC d n</c>: print and feed n lines.</summary>
    public EscPosBuilder Feed(byte lines) => Raw(Esc, 0x64, lines);

    /// <summary>
    /// QR code with <c>GS ( k</c>: fn 165 model 2, fn 167 module size, fn 169 error correction, fn 180 store data,
    /// fn 181 print. The data is ASCII (a dossier code).
    /// </summary>
    public EscPosBuilder QrCode(string data, byte moduleSize = 6, QrErrorCorrection ecc = QrErrorCorrection.M)
    {
        var payload = System.Text.Encoding.ASCII.GetBytes(data);
        if (payload.Length is 0 or > 7089) throw new ArgumentOutOfRangeException(nameof(data));
        var storeLength = payload.Length + 3;
        Raw(Gs, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00);                 // fn 165: model 2
        Raw(Gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, Math.Clamp(moduleSize, (byte)1, (byte)16)); // fn 167: module size
        Raw(Gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, (byte)ecc);                  // fn 169: error correction
        Raw(Gs, 0x28, 0x6B, (byte)(storeLength & 0xFF), (byte)(storeLength >> 8), 0x31, 0x50, 0x30); // fn 180: store
        Raw(payload);
        return Raw(Gs, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30);                // fn 181: print
    }

    /// <summary><c>GS V 66 n</c>: feed n and partial cut.</summary>
    public EscPosBuilder FeedAndCut(byte n = 0) => Raw(Gs, 0x56, 66, n);
}
