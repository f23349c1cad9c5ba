namespace Kiosk.Simulators.VirtualCard.Security;

/// <summary>
/// A tiny baseline JPEG encoder for one thing: a plain mid-gray grayscale picture (every 8×8 block has DC 0 after the
/// level shift, so each block is the DC code 00 and the AC end-of-block 1010 of the standard luminance tables). A
/// comment segment pads the file to the size of a real DG2 portrait, so transfer times are realistic.
/// </summary>
public static class GrayJpeg
{
    public static byte[] Create(int width, int height, int padToBytes)
    {
        var output = new List<byte> { 0xFF, 0xD8 };
        // DQT: table 0, all ones.
        output.AddRange([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        output.AddRange(Enumerable.Repeat((byte)1, 64));
        // SOF0: 8-bit, height, width, one component (id 1, 1×1 sampling, table 0).
        output.AddRange([0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00]);
        // DHT: the standard luminance DC (class 0) and AC (class 1) tables of ITU T.81 Annex K.
        byte[] dcCounts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
        byte[] dcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        byte[] acCounts = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D];
        byte[] acValues = Convert.FromHexString(
            "01020300041105122131410613516107227114328191A1082342B1C11552D1F02433627282090A161718191A25262728292A3435363738393A434445464748494A535455565758595A636465666768696A737475767778797A838485868788898A92939495969798999AA2A3A4A5A6A7A8A9AAB2B3B4B5B6B7B8B9BAC2C3C4C5C6C7C8C9CAD2D3D4D5D6D7D8D9DAE1E2E3E4E5E6E7E8E9EAF1F2F3F4F5F6F7F8F9FA");
        int dhtLength = 2 + 17 + dcValues.Length + 17 + acValues.Length;
        output.AddRange([0xFF, 0xC4, (byte)(dhtLength >> 8), (byte)dhtLength, 0x00, .. dcCounts, .. dcValues, 0x10, .. acCounts, .. acValues]);
        // SOS: one component, tables 0/0, full spectral range.
        output.AddRange([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        int blocks = ((width + 7) / 8) * ((height + 7) / 8);
        var bits = new BitWriter();
        for (int i = 0; i < blocks; i++)
        {
            bits.Write(0b00, 2);     // DC difference category 0
            bits.Write(0b1010, 4);   // AC end of block
        }
        output.AddRange(bits.Finish());
        output.AddRange([0xFF, 0xD9]);
        int padding = padToBytes - output.Count - 4;
        if (padding > 0)
        {
            // COM segments (at most 65 533 bytes each) right after SOI.
            var comments = new List<byte>();
            while (padding > 0)
            {
                int chunk = Math.Min(padding, 65533);
                comments.AddRange([0xFF, 0xFE, (byte)((chunk + 2) >> 8), (byte)(chunk + 2)]);
                comments.AddRange(Enumerable.Range(0, chunk).Select(i => (byte)('a' + i % 26)));
                padding -= chunk + 4;
            }
            output.InsertRange(2, comments);
        }
        return output.ToArray();
    }

    private sealed class BitWriter
    {
        private readonly List<byte> bytes = [];
        private int current, count;

        public void Write(int value, int length)
        {
            for (int i = length - 1; i >= 0; i--)
            {
                current = (current << 1) | ((value >> i) & 1);
                if (++count == 8) Flush();
            }
        }

        public byte[] Finish()
        {
            while (count != 0) { current = (current << 1) | 1; if (++count == 8) Flush(); } // pad with 1 bits
            return bytes.ToArray();
        }

        private void Flush()
        {
            bytes.Add((byte)current);
            if (current == 0xFF) bytes.Add(0x00); // byte stuffing
            current = 0;
            count = 0;
        }
    }
}
