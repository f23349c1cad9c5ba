using System.Text;
using System.Text.Json;
using Kiosk.Simulators.Peripherals.Printer;
using Kiosk.Simulators.Peripherals.State;

namespace Simulators.Tests;

public class EscPosParserTests
{
    private static readonly DateTimeOffset FixedTime = new(2026, 5, 1, 9, 30, 0, TimeSpan.FromHours(7));

    static EscPosParserTests()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>"Nguyễn" as a host writes it for WPC1258: ê precomposed (EA), the tilde as a combining mark (DE).</summary>
    internal static readonly byte[] NguyenInCp1258 = Hex.Bytes("4E677579EADE6E");

    internal static byte[] SampleReceipt(string qrPayload = "https://dichvucong.example/hs/H01.05-260501-0001")
    {
        var bytes = new List<byte>();
        void Add(params byte[] b) => bytes.AddRange(b);
        void Text(string ascii) => bytes.AddRange(Encoding.ASCII.GetBytes(ascii));
        Add(0x1B, 0x40);                  // ESC @
        Add(0x1B, 0x74, 52);              // ESC t 52: WPC1258
        Add(0x1B, 0x61, 1);               // centre
        Add(0x1B, 0x45, 1);               // bold
        Add(0x1D, 0x21, 0x11);            // double width and height
        Text("BIEN NHAN");
        Add(0x0A);
        Add(0x1D, 0x21, 0x00);
        Add(0x1B, 0x45, 0);
        Add(0x1B, 0x61, 0);
        Text("Ho ten: ");
        Add(NguyenInCp1258);
        Text(" V");
        Add(0xE3, 0x6E);                  // "ăn": ă is E3 in WPC1258
        Text(" An");
        Add(0x0A);
        Add(0x1B, 0x61, 2);
        Text("Ma: H01");
        Add(0x0A);
        Add(0x1B, 0x61, 1);
        Add(0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00); // QR model 2
        Add(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06);       // module size 6
        Add(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31);       // error correction M
        byte[] qr = Encoding.UTF8.GetBytes(qrPayload);
        int storeLength = qr.Length + 3;
        Add(0x1D, 0x28, 0x6B, (byte)storeLength, (byte)(storeLength >> 8), 0x31, 0x50, 0x30);
        Add(qr);
        Add(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30);       // print the symbol
        Add(0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x03, 0x00);       // GS v 0: 2 bytes × 3 dots
        Add(0xFF, 0x00, 0x10, 0x04, 0x02, 0x81);                    // image bits that look like DLE EOT 2
        Add(0x1B, 0x64, 3);                                         // feed 3 lines
        Add(0x1D, 0x56, 66, 0);                                     // feed and partial cut
        return bytes.ToArray();
    }

    private static EscPosParser NewParser() => new(() => FixedTime);

    [Fact]
    public void Decodes_a_whole_receipt()
    {
        EscPosFeedResult result = NewParser().Feed(SampleReceipt(), PrinterCondition.Ready);
        Assert.Empty(result.Replies); // the 10 04 02 inside the image bits is data, not a status request
        Receipt receipt = Assert.Single(result.FinishedReceipts);
        Assert.Equal("partial", receipt.Cut);
        Assert.Equal(FixedTime, receipt.PrintedAt);

        ReceiptElement title = receipt.Elements[0];
        Assert.Equal(("BIEN NHAN", "center", true, 2, 2), (title.Text, title.Align, title.Bold, title.WidthScale, title.HeightScale));
        ReceiptElement name = receipt.Elements[1];
        Assert.Equal("Ho ten: Nguyễn Văn An", name.Text);
        Assert.True(name.Text.IsNormalized(NormalizationForm.FormC));
        Assert.Equal(("left", false, 1), (name.Align, name.Bold, name.WidthScale));
        Assert.Equal(("Ma: H01", "right"), (receipt.Elements[2].Text, receipt.Elements[2].Align));
        Assert.Equal(ReceiptElementKind.Qr, receipt.Elements[3].Kind);
        Assert.Equal(ReceiptElementKind.Image, receipt.Elements[4].Kind);
        Assert.Equal(3, receipt.Elements.Skip(5).Count(e => e.Kind == ReceiptElementKind.Text && e.Text == ""));

        Assert.Equal(["https://dichvucong.example/hs/H01.05-260501-0001"], receipt.QrPayloads);
        RasterImage image = Assert.Single(receipt.Images);
        Assert.Equal((16, 3, "/wAQBAKB"), (image.WidthDots, image.HeightDots, image.Bits));
        Assert.Contains("Ho ten: Nguyễn Văn An", receipt.PlainText);
        Assert.Contains("[QR: https://dichvucong.example/hs/H01.05-260501-0001]", receipt.PlainText);
    }

    [Fact]
    public void Any_split_of_the_stream_gives_the_same_receipt()
    {
        byte[] stream = SampleReceipt();
        string whole = JsonSerializer.Serialize(NewParser().Feed(stream, PrinterCondition.Ready).FinishedReceipts);

        EscPosParser byteByByte = NewParser();
        var receipts = new List<Receipt>();
        foreach (byte b in stream) receipts.AddRange(byteByByte.Feed([b], PrinterCondition.Ready).FinishedReceipts);
        Assert.Equal(whole, JsonSerializer.Serialize(receipts));

        var random = new Random(7);
        for (int round = 0; round < 50; round++)
        {
            EscPosParser parser = NewParser();
            receipts.Clear();
            int offset = 0;
            while (offset < stream.Length)
            {
                int count = Math.Min(random.Next(1, 12), stream.Length - offset);
                receipts.AddRange(parser.Feed(stream.AsSpan(offset, count), PrinterCondition.Ready).FinishedReceipts);
                offset += count;
            }
            Assert.Equal(whole, JsonSerializer.Serialize(receipts));
        }
    }

    [Fact]
    public void Code_page_1258_text_is_recomposed_to_nfc()
    {
        Encoding cp1258 = Encoding.GetEncoding(1258);
        Assert.Equal(NguyenInCp1258, cp1258.GetBytes("Nguy\u00EA\u0303n"));
        var bytes = new List<byte> { 0x1B, 0x74, 52 };
        // "Phường Dịch Vọng Hậu" in WPC1258: ư FD, ơ F5 + combining grave CC, i/o + combining dot below F2, â E2 + F2.
        bytes.AddRange(Hex.Bytes("5068 FD F5CC 6E67 20 4469 F2 6368 20 566F F2 6E67 20 48 E2F2 75"));
        bytes.AddRange([0x0A, 0x1D, 0x56, 0x00]);
        Receipt receipt = Assert.Single(NewParser().Feed(bytes.ToArray(), PrinterCondition.Ready).FinishedReceipts);
        Assert.Equal("Phường Dịch Vọng Hậu", receipt.Elements[0].Text);
        Assert.Equal("full", receipt.Cut);
    }

    [Fact]
    public void Code_page_0_is_pc437()
    {
        Receipt receipt = Assert.Single(NewParser().Feed([0x1B, 0x74, 0, 0x82, 0x41, 0x0A, 0x1D, 0x56, 0x01], PrinterCondition.Ready).FinishedReceipts);
        Assert.Equal("éA", receipt.Elements[0].Text);
        Assert.Equal("partial", receipt.Cut);
    }

    [Theory]
    [InlineData(false, "ok", 1, 0x12)]
    [InlineData(true, "ok", 1, 0x1A)]
    [InlineData(false, "ok", 2, 0x12)]
    [InlineData(true, "ok", 2, 0x16)]
    [InlineData(false, "out", 2, 0x32)]
    [InlineData(false, "ok", 3, 0x12)]
    [InlineData(false, "ok", 4, 0x12)]
    [InlineData(false, "near-end", 4, 0x1E)]
    [InlineData(false, "out", 4, 0x7E)]
    public void Dle_eot_answers_per_the_reference(bool coverOpen, string paper, byte n, byte expected)
    {
        PaperLevel level = paper switch { "near-end" => PaperLevel.NearEnd, "out" => PaperLevel.Out, _ => PaperLevel.Ok };
        EscPosFeedResult result = NewParser().Feed([0x10, 0x04, n], new PrinterCondition(coverOpen, level));
        Assert.Equal([expected], result.Replies);
    }

    [Fact]
    public void Status_request_split_across_reads_is_answered_once_complete()
    {
        EscPosParser parser = NewParser();
        Assert.Empty(parser.Feed([0x41, 0x10], PrinterCondition.Ready).Replies);
        Assert.Empty(parser.Feed([0x04], PrinterCondition.Ready).Replies);
        Assert.Equal([(byte)0x12], parser.Feed([0x04, 0x10, 0x04, 0x01], PrinterCondition.Ready).Replies[..1]);
    }

    [Fact]
    public void Offline_printer_discards_the_job_but_answers_status()
    {
        EscPosParser parser = NewParser();
        var coverOpen = new PrinterCondition(true, PaperLevel.Ok);
        byte[] stream = [.. SampleReceipt(), 0x10, 0x04, 0x02];
        EscPosFeedResult offline = parser.Feed(stream, coverOpen);
        Assert.Empty(offline.FinishedReceipts);
        Assert.Equal([(byte)0x16], offline.Replies);
        Assert.True(parser.DiscardedWhileOffline > 0);

        // Half a job printed, then the paper runs out: the whole receipt is lost, the next one prints.
        byte[] first = Encoding.ASCII.GetBytes("line one\n");
        Assert.Empty(parser.Feed(first, PrinterCondition.Ready).FinishedReceipts);
        Assert.Empty(parser.Feed([.. Encoding.ASCII.GetBytes("line two\n"), 0x1D, 0x56, 0x00], new PrinterCondition(false, PaperLevel.Out)).FinishedReceipts);
        Receipt next = Assert.Single(parser.Feed(SampleReceipt(), PrinterCondition.Ready).FinishedReceipts);
        Assert.DoesNotContain(next.TextLines, line => line.StartsWith("line"));
    }

    [Fact]
    public void Garbage_never_throws_and_the_parser_recovers_after_a_new_stream()
    {
        var random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            EscPosParser parser = NewParser();
            byte[] junk = new byte[random.Next(1, 3000)];
            random.NextBytes(junk);
            for (int offset = 0; offset < junk.Length; offset += 97)
            {
                parser.Feed(junk.AsSpan(offset, Math.Min(97, junk.Length - offset)), PrinterCondition.Ready);
            }
        }
        // A huge declared raster image is streamed past, not buffered.
        EscPosParser big = NewParser();
        big.Feed([0x1D, 0x76, 0x30, 0x00, 0xFF, 0xFF, 0xFF, 0xFF], PrinterCondition.Ready);
        big.Feed(new byte[1 << 20], PrinterCondition.Ready);
    }

    [Fact]
    public void A_cut_with_nothing_printed_makes_no_receipt()
    {
        Assert.Empty(NewParser().Feed([0x1B, 0x40, 0x1D, 0x56, 0x00, 0x1D, 0x56, 0x01], PrinterCondition.Ready).FinishedReceipts);
    }
}
