using System.Text;

namespace Kiosk.Host.Receipts;

/// <summary>
/// Vietnamese text → Windows-1258 bytes for ESC/POS code page 52. Windows-1258 has the base letters with circumflex,
/// breve and horn (â ă ê ô ơ ư) and đ, but the five tone marks only as combining characters. So the text is
/// NFD-decomposed, the shape marks are recomposed onto their base letter, and the tone marks stay combining.
/// </summary>
public static class Wpc1258
{
    private static readonly Encoding Encoding;

    static Wpc1258()
    {
        System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Encoding = System.Text.Encoding.GetEncoding(1258, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback);
    }

    /// <summary>The code page itself (decoding receipts in tests and tools).</summary>
    public static Encoding CodePage => Encoding;

    private static bool IsToneMark(char c) => c is '\u0300' or '\u0301' or '\u0303' or '\u0309' or '\u0323';

    public static string ToWindows1258Form(string text)
    {
        var nfd = text.Normalize(NormalizationForm.FormD);
        var result = new StringBuilder(nfd.Length);
        var i = 0;
        while (i < nfd.Length)
        {
            // One base character and its combining marks.
            var start = i++;
            while (i < nfd.Length && char.GetUnicodeCategory(nfd[i]) == System.Globalization.UnicodeCategory.NonSpacingMark) i++;
            var cluster = nfd.AsSpan(start, i - start);
            var shape = new StringBuilder();
            var tones = new StringBuilder();
            foreach (var c in cluster)
            {
                if (shape.Length > 0 && IsToneMark(c)) tones.Append(c);
                else shape.Append(c);
            }
            result.Append(shape.ToString().Normalize(NormalizationForm.FormC)).Append(tones);
        }
        return result.ToString();
    }

    public static byte[] Encode(string text) => Encoding.GetBytes(ToWindows1258Form(text));

    /// <summary>Decodes 1258 bytes and recomposes (NFC), the inverse of <see cref="Encode"/>.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.GetString(bytes).Normalize(NormalizationForm.FormC);
}
