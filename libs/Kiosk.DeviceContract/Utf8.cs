namespace Kiosk.DeviceContract
{
    /// <summary>
    /// UTF-8 encode and decode without System.Text.Encoding, which nanoFramework keeps in a separate package.
    /// Invalid input decodes to U+FFFD instead of throwing.
    /// </summary>
    public static class Utf8
    {
        private const char Replacement = '\uFFFD';

        public static byte[] Encode(string text)
        {
            if (text == null) return new byte[0];
            int length = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int codePoint = ReadCodePoint(text, ref i);
                length += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            }
            byte[] bytes = new byte[length];
            int o = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int c = ReadCodePoint(text, ref i);
                if (c < 0x80)
                {
                    bytes[o++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    bytes[o++] = (byte)(0xC0 | (c >> 6));
                    bytes[o++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c < 0x10000)
                {
                    bytes[o++] = (byte)(0xE0 | (c >> 12));
                    bytes[o++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    bytes[o++] = (byte)(0x80 | (c & 0x3F));
                }
                else
                {
                    bytes[o++] = (byte)(0xF0 | (c >> 18));
                    bytes[o++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                    bytes[o++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    bytes[o++] = (byte)(0x80 | (c & 0x3F));
                }
            }
            return bytes;
        }

        /// <summary>Reads the code point at text[i], advancing i past a surrogate pair; a lone surrogate becomes U+FFFD.</summary>
        private static int ReadCodePoint(string text, ref int i)
        {
            char c = text[i];
            if (c >= 0xD800 && c <= 0xDBFF)
            {
                if (i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    int codePoint = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    i++;
                    return codePoint;
                }
                return Replacement;
            }
            if (c >= 0xDC00 && c <= 0xDFFF) return Replacement;
            return c;
        }

        public static string Decode(byte[] bytes)
        {
            if (bytes == null) return string.Empty;
            return Decode(bytes, 0, bytes.Length);
        }

        /// <summary>
        /// Decodes like the Unicode "maximal subpart" practice (and .NET's decoder): each ill-formed subsequence becomes
        /// one U+FFFD and decoding resumes at the byte that broke it.
        /// </summary>
        public static string Decode(byte[] bytes, int offset, int count)
        {
            // Each byte yields at most one UTF-16 unit, except 4-byte sequences that yield two.
            char[] chars = new char[count];
            int n = 0;
            int end = offset + count;
            int i = offset;
            while (i < end)
            {
                int b = bytes[i];
                if (b < 0x80)
                {
                    chars[n++] = (char)b;
                    i++;
                    continue;
                }
                int need;
                int codePoint;
                int low = 0x80;
                int high = 0xBF;
                if (b >= 0xC2 && b <= 0xDF) { need = 1; codePoint = b & 0x1F; }
                else if (b >= 0xE0 && b <= 0xEF)
                {
                    need = 2;
                    codePoint = b & 0x0F;
                    if (b == 0xE0) low = 0xA0;
                    if (b == 0xED) high = 0x9F;
                }
                else if (b >= 0xF0 && b <= 0xF4)
                {
                    need = 3;
                    codePoint = b & 0x07;
                    if (b == 0xF0) low = 0x90;
                    if (b == 0xF4) high = 0x8F;
                }
                else
                {
                    chars[n++] = Replacement;
                    i++;
                    continue;
                }

                int k = 1;
                bool valid = true;
                while (k <= need)
                {
                    if (i + k >= end) { valid = false; break; }
                    int c = bytes[i + k];
                    // Only the second byte has the narrowed range; later ones are plain continuation bytes.
                    int min = k == 1 ? low : 0x80;
                    int max = k == 1 ? high : 0xBF;
                    if (c < min || c > max) { valid = false; break; }
                    codePoint = (codePoint << 6) | (c & 0x3F);
                    k++;
                }
                i += k;
                if (!valid)
                {
                    chars[n++] = Replacement;
                    continue;
                }
                if (codePoint >= 0x10000)
                {
                    codePoint -= 0x10000;
                    chars[n++] = (char)(0xD800 + (codePoint >> 10));
                    chars[n++] = (char)(0xDC00 + (codePoint & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)codePoint;
                }
            }
            return new string(chars, 0, n);
        }
    }
}
