using System.Text;
using Kiosk.Simulators.Peripherals.State;

namespace Kiosk.Simulators.Peripherals.Printer;

/// <summary>What one chunk of bytes produced: real-time status answers to send back, and receipts finished by a cut.</summary>
public sealed record EscPosFeedResult(byte[] Replies, IReadOnlyList<Receipt> FinishedReceipts);

/// <summary>
/// A stateful ESC/POS interpreter (Epson command set, firmware-and-devices.md §5). Bytes may arrive in any split: the
/// parser keeps a half-received command and continues with the next chunk. It decodes text in the selected code page
/// (ESC t; 52 = WPC1258 Vietnamese, recomposed to NFC), keeps the style of each line, records QR payloads (GS ( k),
/// raster images (GS v 0) and barcodes, and ends a receipt at each cut (GS V).
///
/// DLE EOT n is answered only between commands, never inside another command's data (the manual forbids sending it
/// there, and raster bits would otherwise be misread). Unknown ESC/GS/FS commands are skipped by their known length or
/// as two bytes, so garbage can cost some text but never an exception or unbounded memory.
///
/// Off-line (cover open or paper out): the parser keeps reading commands to stay in step with the stream and answers
/// DLE EOT, but prints nothing — every text, image, QR code and cut that arrives while off-line is discarded, and so is
/// the receipt in progress, as on a printer whose paper ran out mid-job. The host must check the status and reprint.
/// </summary>
public sealed class EscPosParser
{
    /// <summary>Raster images bigger than this keep their size but not their bits (a 576 × 900 dot image is 64 kB).</summary>
    public const int MaxStoredImageBytes = 64 * 1024;
    /// <summary>A line longer than this is wrapped, as the paper would.</summary>
    public const int MaxLineBytes = 1024;
    /// <summary>A job that never cuts stops recording beyond this many elements.</summary>
    public const int MaxElementsPerReceipt = 5000;

    private const byte Esc = 0x1B, Gs = 0x1D, Dle = 0x10, Fs = 0x1C, Lf = 0x0A, Ht = 0x09;

    static EscPosParser()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    private readonly Func<DateTimeOffset> clock;
    private readonly List<byte> command = new();
    private readonly List<byte> replies = new();
    private readonly List<Receipt> finished = new();
    private PrinterCondition condition = PrinterCondition.Ready;

    // Bulk data that follows a command header (image bits, GS ( payloads): streamed, only kept up to a bound.
    private long bulkRemaining;
    private Action<List<byte>>? bulkDone;
    private List<byte>? bulkData;
    private int bulkKeepLimit;
    // NUL-terminated data (ESC D tab stops, GS k barcode forms 0-6).
    private Action<List<byte>>? untilNulDone;
    private List<byte>? untilNulData;

    // Print modes.
    private string align = "left";
    private bool bold;
    private bool underline;
    private int widthScale = 1;
    private int heightScale = 1;
    private int codePage;

    // The line being filled: text already decoded, plus raw bytes of the current code page.
    private readonly StringBuilder lineText = new();
    private readonly List<byte> lineBytes = new();
    private int lineByteCount;
    private ReceiptElement? lineStyle;

    // The receipt being built.
    private readonly List<ReceiptElement> elements = new();
    private readonly List<string> qrPayloads = new();
    private readonly List<RasterImage> images = new();
    private byte[] storedQrData = [];

    public EscPosParser(Func<DateTimeOffset>? clock = null)
    {
        this.clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>Printing effects (characters, line feeds, images, codes, cuts) dropped because the printer was off-line.</summary>
    public long DiscardedWhileOffline { get; private set; }

    public int CodePage => codePage;

    /// <summary>Feeds the next bytes of the stream. Never throws on any input.</summary>
    public EscPosFeedResult Feed(ReadOnlySpan<byte> bytes, PrinterCondition printerCondition)
    {
        condition = printerCondition;
        replies.Clear();
        finished.Clear();
        foreach (byte b in bytes) Step(b);
        return new EscPosFeedResult(replies.ToArray(), finished.ToArray());
    }

    private void Step(byte b)
    {
        if (bulkRemaining > 0)
        {
            if (bulkData is not null && bulkData.Count < bulkKeepLimit) bulkData.Add(b);
            if (--bulkRemaining == 0) FinishBulk();
            return;
        }
        if (untilNulDone is not null)
        {
            if (b == 0x00 || untilNulData!.Count >= 255)
            {
                Action<List<byte>> done = untilNulDone;
                List<byte> data = untilNulData!;
                untilNulDone = null;
                untilNulData = null;
                done(data);
                if (b == 0x00) return;
            }
            else
            {
                untilNulData.Add(b);
                return;
            }
        }
        if (command.Count == 0)
        {
            switch (b)
            {
                case Esc or Gs or Dle or Fs:
                    command.Add(b);
                    return;
                case Lf:
                    if (Printing()) EndLine();
                    return;
                case Ht:
                    if (Printing()) AddText(0x20);
                    return;
                case < 0x20:
                    return; // CR, FF and other controls do nothing in standard mode
                default:
                    if (Printing()) AddText(b);
                    return;
            }
        }
        command.Add(b);
        int? required = RequiredLength();
        if (required is int length && command.Count >= length)
        {
            byte[] complete = command.ToArray();
            command.Clear();
            Execute(complete);
        }
    }

    /// <summary>The header length of the command in <see cref="command"/>, once enough of it is known.</summary>
    private int? RequiredLength()
    {
        byte prefix = command[0];
        byte code = command[1];
        switch (prefix)
        {
            case Esc:
                return code switch
                {
                    (byte)'@' or (byte)'2' or (byte)'<' or (byte)'i' or (byte)'m' or (byte)'D' or (byte)'L' or (byte)'S' => 2,
                    (byte)'$' or (byte)'\\' or (byte)'c' => 4,
                    (byte)'*' or (byte)'p' or (byte)'(' => 5,
                    0x20 or (byte)'!' or (byte)'%' or (byte)'-' or (byte)'3' or (byte)'E' or (byte)'G' or (byte)'J' or (byte)'M'
                        or (byte)'R' or (byte)'T' or (byte)'U' or (byte)'V' or (byte)'a' or (byte)'d' or (byte)'e' or (byte)'r'
                        or (byte)'t' or (byte)'{' or (byte)'?' => 3,
                    _ => 2,
                };
            case Gs:
                switch (code)
                {
                    case (byte)'V':
                        if (command.Count < 3) return null;
                        return command[2] is 65 or 66 or 97 or 98 or 103 or 104 ? 4 : 3;
                    case (byte)'v':
                        if (command.Count < 3) return null;
                        return command[2] == (byte)'0' ? 8 : 3;
                    case (byte)'k':
                        if (command.Count < 3) return null;
                        return command[2] <= 6 ? 3 : 4;
                    case (byte)'(':
                        return 5;
                    case (byte)'8':
                        return 7;
                    case (byte)'L' or (byte)'W' or (byte)'$' or (byte)'\\' or (byte)'P' or (byte)'*':
                        return 4;
                    case (byte)'!' or (byte)'B' or (byte)'H' or (byte)'h' or (byte)'w' or (byte)'f' or (byte)'a' or (byte)'b'
                        or (byte)'r' or (byte)'I' or (byte)'E' or (byte)'/':
                        return 3;
                    default:
                        return 2;
                }
            case Dle:
                if (code == 0x14)
                {
                    if (command.Count < 3) return null;
                    return command[2] == 8 ? 10 : 5;
                }
                return code is 0x04 or 0x05 ? 3 : 2;
            default: // FS
                return code switch
                {
                    (byte)'!' or (byte)'C' or (byte)'-' => 3,
                    (byte)'p' => 4,
                    _ => 2,
                };
        }
    }

    private void Execute(byte[] c)
    {
        byte prefix = c[0], code = c[1];
        if (prefix == Esc) ExecuteEsc(c, code);
        else if (prefix == Gs) ExecuteGs(c, code);
        else if (prefix == Dle) ExecuteDle(c, code);
        // FS commands (Kanji modes, NV images) have no effect on what this printer records.
    }

    private void ExecuteEsc(byte[] c, byte code)
    {
        switch (code)
        {
            case (byte)'@':
                lineText.Clear();
                lineBytes.Clear();
                lineByteCount = 0;
                lineStyle = null;
                align = "left";
                bold = underline = false;
                widthScale = heightScale = 1;
                codePage = 0;
                break;
            case (byte)'a':
                align = (c[2] % 48) switch { 1 => "center", 2 => "right", _ => "left" };
                break;
            case (byte)'E':
                bold = (c[2] & 1) != 0;
                break;
            case (byte)'-':
                underline = (c[2] % 48) != 0;
                break;
            case (byte)'!':
                bold = (c[2] & 0x08) != 0;
                heightScale = (c[2] & 0x10) != 0 ? 2 : 1;
                widthScale = (c[2] & 0x20) != 0 ? 2 : 1;
                underline = (c[2] & 0x80) != 0;
                break;
            case (byte)'t':
                FlushLineBytes();
                codePage = c[2];
                break;
            case (byte)'d':
                if (!Printing()) break;
                int lines = c[2];
                if (HasLineContent())
                {
                    EndLine();
                    lines--;
                }
                for (int i = 0; i < lines; i++) EndLine();
                break;
            case (byte)'J':
                if (Printing() && HasLineContent()) EndLine();
                break;
            case (byte)'i' or (byte)'m':
                Cut("partial");
                break;
            case (byte)'D':
                StartUntilNul(_ => { });
                break;
            case (byte)'*':
            {
                int columns = c[3] | (c[4] << 8);
                bool twentyFourDots = c[2] is 32 or 33;
                int dataLength = columns * (twentyFourDots ? 3 : 1);
                StartBulk(dataLength, 0, _ =>
                {
                    if (!Printing()) return;
                    AddImage(new RasterImage { WidthBytes = (columns + 7) / 8, HeightDots = twentyFourDots ? 24 : 8, Mode = c[2] });
                });
                break;
            }
            case (byte)'(':
                StartBulk(c[3] | (c[4] << 8), 0, _ => { });
                break;
        }
    }

    private void ExecuteGs(byte[] c, byte code)
    {
        switch (code)
        {
            case (byte)'!':
                widthScale = ((c[2] >> 4) & 0x07) + 1;
                heightScale = (c[2] & 0x07) + 1;
                break;
            case (byte)'B':
                break;
            case (byte)'V':
                Cut(c[2] is 0 or 48 or 65 or 97 or 103 ? "full" : "partial");
                break;
            case (byte)'v' when c[2] == (byte)'0':
            {
                int widthBytes = c[4] | (c[5] << 8);
                int height = c[6] | (c[7] << 8);
                long dataLength = (long)widthBytes * height;
                int mode = c[3];
                StartBulk(dataLength, dataLength <= MaxStoredImageBytes ? (int)dataLength : 0, bits =>
                {
                    if (!Printing()) return;
                    string? stored = dataLength <= MaxStoredImageBytes ? Convert.ToBase64String(bits.ToArray()) : null;
                    AddImage(new RasterImage { WidthBytes = widthBytes, HeightDots = height, Mode = mode, Bits = stored });
                });
                break;
            }
            case (byte)'(':
            {
                int length = c[3] | (c[4] << 8);
                if (c[2] == (byte)'k') StartBulk(length, length, HandleTwoDimensionalCode);
                else StartBulk(length, 0, _ => { });
                break;
            }
            case (byte)'8':
                StartBulk(c[3] | ((long)c[4] << 8) | ((long)c[5] << 16) | ((long)c[6] << 24), 0, _ => { });
                break;
            case (byte)'*':
                StartBulk(c[2] * c[3] * 8, 0, _ => { });
                break;
            case (byte)'k':
                if (c[2] <= 6) StartUntilNul(AddBarcode);
                else StartBulk(c[3], c[3], AddBarcode);
                break;
            case (byte)'r':
                // Transmit status (not real-time): n = 1 paper sensor, bits 0-1 near end, bits 2-3 paper end.
                if (c[2] is 1 or 49)
                {
                    byte status = condition.Paper switch { PaperLevel.NearEnd => 0x03, PaperLevel.Out => 0x0F, _ => 0x00 };
                    replies.Add(status);
                }
                else if (c[2] is 2 or 50)
                {
                    replies.Add(0x00);
                }
                break;
        }
    }

    private void ExecuteDle(byte[] c, byte code)
    {
        if (code == 0x04 && PrinterStatus.For(c[2], condition) is byte status) replies.Add(status);
    }

    /// <summary>GS ( k with cn = 49 (QR code): 65 model, 67 size, 69 error correction, 80 store, 81 print.</summary>
    private void HandleTwoDimensionalCode(List<byte> payload)
    {
        if (payload.Count < 2 || payload[0] != 49) return;
        byte function = payload[1];
        if (function == 80 && payload.Count >= 3)
        {
            storedQrData = payload.Skip(3).ToArray();
        }
        else if (function == 81 && Printing())
        {
            string text = DecodeQrData(storedQrData);
            if (RoomForElement()) elements.Add(new ReceiptElement { Kind = ReceiptElementKind.Qr, Text = text, Align = align });
            qrPayloads.Add(text);
        }
    }

    private static string DecodeQrData(byte[] data)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(data);
        }
    }

    private void AddBarcode(List<byte> data)
    {
        if (!Printing() || !RoomForElement()) return;
        elements.Add(new ReceiptElement { Kind = ReceiptElementKind.Barcode, Text = Encoding.ASCII.GetString(data.ToArray()), Align = align });
    }

    private void AddImage(RasterImage image)
    {
        if (HasLineContent()) EndLine();
        images.Add(image);
        if (RoomForElement())
        {
            elements.Add(new ReceiptElement
            {
                Kind = ReceiptElementKind.Image,
                Align = align,
                WidthDots = image.WidthDots,
                HeightDots = image.HeightDots,
            });
        }
    }

    private void StartBulk(long length, int keep, Action<List<byte>> done)
    {
        if (length <= 0)
        {
            done([]);
            return;
        }
        bulkRemaining = length;
        bulkKeepLimit = keep;
        bulkData = keep > 0 ? new List<byte>(Math.Min(keep, 4096)) : null;
        bulkDone = done;
    }

    private void FinishBulk()
    {
        Action<List<byte>>? done = bulkDone;
        List<byte> data = bulkData ?? [];
        bulkDone = null;
        bulkData = null;
        done?.Invoke(data);
    }

    private void StartUntilNul(Action<List<byte>> done)
    {
        untilNulDone = done;
        untilNulData = new List<byte>();
    }

    /// <summary>True when the printer can print; otherwise the effect is discarded along with the receipt in progress.</summary>
    private bool Printing()
    {
        if (!condition.IsOffline) return true;
        DiscardedWhileOffline++;
        elements.Clear();
        qrPayloads.Clear();
        images.Clear();
        lineText.Clear();
        lineBytes.Clear();
        lineByteCount = 0;
        lineStyle = null;
        return false;
    }

    private void AddText(byte b)
    {
        lineStyle ??= new ReceiptElement
        {
            Kind = ReceiptElementKind.Text,
            Align = align,
            Bold = bold,
            Underline = underline,
            WidthScale = widthScale,
            HeightScale = heightScale,
        };
        lineBytes.Add(b);
        if (++lineByteCount >= MaxLineBytes) EndLine();
    }

    private bool HasLineContent() => lineByteCount > 0;

    private void FlushLineBytes()
    {
        if (lineBytes.Count == 0) return;
        lineText.Append(DecodeText(lineBytes.ToArray(), codePage));
        lineBytes.Clear();
    }

    private void EndLine()
    {
        FlushLineBytes();
        string text = lineText.ToString().Normalize(NormalizationForm.FormC).TrimEnd();
        ReceiptElement style = lineStyle ?? new ReceiptElement { Kind = ReceiptElementKind.Text, Align = align, Bold = bold };
        if (RoomForElement()) elements.Add(style with { Text = text });
        lineText.Clear();
        lineByteCount = 0;
        lineStyle = null;
    }

    private bool RoomForElement() => elements.Count < MaxElementsPerReceipt;

    private void Cut(string kind)
    {
        if (!Printing()) return;
        if (HasLineContent()) EndLine();
        if (elements.Count > 0 || images.Count > 0)
        {
            finished.Add(new Receipt
            {
                PrintedAt = clock(),
                Cut = kind,
                Elements = elements.ToArray(),
                QrPayloads = qrPayloads.ToArray(),
                Images = images.ToArray(),
            });
        }
        elements.Clear();
        qrPayloads.Clear();
        images.Clear();
    }

    /// <summary>Epson code page numbers (ESC t n) → .NET encodings. TCVN-3 (30/31) has no .NET encoding and shows '?'.</summary>
    public static string DecodeText(byte[] bytes, int escPosCodePage)
    {
        int? windowsCodePage = escPosCodePage switch
        {
            0 => 437,
            2 => 850,
            3 => 860,
            4 => 863,
            5 => 865,
            16 => 1252,
            17 => 866,
            18 => 852,
            19 => 858,
            45 => 1250,
            46 => 1251,
            47 => 1253,
            48 => 1254,
            49 => 1255,
            50 => 1256,
            51 => 1257,
            52 => 1258,
            255 => null,
            30 or 31 => null,
            _ => 437,
        };
        if (windowsCodePage is null) return new string('?', bytes.Length);
        return Encoding.GetEncoding(windowsCodePage.Value).GetString(bytes);
    }
}
