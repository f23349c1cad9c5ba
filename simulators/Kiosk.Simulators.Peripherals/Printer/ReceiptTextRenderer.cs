using System.Globalization;
using System.Text;

namespace Kiosk.Simulators.Peripherals.Printer;

/// <summary>Lays a receipt out as plain text 48 columns wide (an 80 mm roll in font A), for the control page.</summary>
public static class ReceiptTextRenderer
{
    public const int Columns = 48;

    public static string Render(Receipt receipt)
    {
        var text = new StringBuilder();
        foreach (ReceiptElement element in receipt.Elements)
        {
            string line = element.Kind switch
            {
                ReceiptElementKind.Text => element.Text,
                ReceiptElementKind.Qr => "[QR: " + element.Text + "]",
                ReceiptElementKind.Barcode => "[barcode: " + element.Text + "]",
                _ => $"[image {element.WidthDots}×{element.HeightDots}]",
            };
            text.Append(Align(line, element.Align)).Append('\n');
        }
        text.Append(new string('-', Columns)).Append(' ').Append(receipt.Cut).Append(" cut\n");
        return text.ToString();
    }

    private static string Align(string line, string align)
    {
        int length = new StringInfo(line).LengthInTextElements;
        if (length >= Columns) return line;
        return align switch
        {
            "center" => new string(' ', (Columns - length) / 2) + line,
            "right" => new string(' ', Columns - length) + line,
            _ => line,
        };
    }
}
