using System.Text.Json.Serialization;

namespace Kiosk.Simulators.Peripherals.Printer;

public enum ReceiptElementKind
{
    Text,
    Qr,
    Image,
    Barcode,
}

/// <summary>One printed thing, in paper order: a text line (with its style), a QR symbol, a raster image or a barcode.</summary>
public sealed record ReceiptElement
{
    [JsonConverter(typeof(JsonStringEnumConverter<ReceiptElementKind>))]
    public ReceiptElementKind Kind { get; init; }
    /// <summary>The decoded text line (NFC), the QR/barcode payload, or empty for an image.</summary>
    public string Text { get; init; } = "";
    /// <summary>"left", "center" or "right" (ESC a).</summary>
    public string Align { get; init; } = "left";
    public bool Bold { get; init; }
    public bool Underline { get; init; }
    /// <summary>Character magnification 1..8 (GS ! or ESC !).</summary>
    public int WidthScale { get; init; } = 1;
    public int HeightScale { get; init; } = 1;
    /// <summary>For images: size in dots.</summary>
    public int? WidthDots { get; init; }
    public int? HeightDots { get; init; }
}

/// <summary>A raster image (GS v 0): its size and, when small enough, its bits (1 = black dot, rows of WidthBytes).</summary>
public sealed record RasterImage
{
    public int WidthBytes { get; init; }
    public int WidthDots => WidthBytes * 8;
    public int HeightDots { get; init; }
    /// <summary>GS v 0 m: 0 normal, 1 double width, 2 double height, 3 quadruple.</summary>
    public int Mode { get; init; }
    /// <summary>Base64 of the bits; null when the image was larger than <see cref="EscPosParser.MaxStoredImageBytes"/>.</summary>
    public string? Bits { get; init; }
}

/// <summary>One job between two cuts, as the control page and GET /api/receipts show it.</summary>
public sealed record Receipt
{
    public long Number { get; init; }
    public DateTimeOffset PrintedAt { get; init; }
    /// <summary>"full" or "partial".</summary>
    public string Cut { get; init; } = "full";
    public IReadOnlyList<ReceiptElement> Elements { get; init; } = [];
    public IReadOnlyList<string> QrPayloads { get; init; } = [];
    public IReadOnlyList<RasterImage> Images { get; init; } = [];
    public int ImageCount => Images.Count;

    /// <summary>The text lines only, for quick checks.</summary>
    [JsonIgnore]
    public IEnumerable<string> TextLines => Elements.Where(e => e.Kind == ReceiptElementKind.Text).Select(e => e.Text);

    public string PlainText => ReceiptTextRenderer.Render(this);
}
