namespace Kiosk.Firmware.Protocols.Pn532
{
    /// <summary>What <see cref="Pn532Frame.TryDecode"/> found at the start of a buffer.</summary>
    public enum Pn532FrameKind
    {
        /// <summary>Not a whole frame yet: read more bytes and try again.</summary>
        NeedMore = 0,
        Ack = 1,
        Nack = 2,
        /// <summary>The PN532's application-level error frame (00 00 FF 01 FF 7F 81 00).</summary>
        ApplicationError = 3,
        /// <summary>A normal or extended information frame; Tfi and Data are set.</summary>
        Information = 4,
        /// <summary>A frame whose length or data checksum is wrong; Consumed says how many bytes to drop.</summary>
        Garbled = 5,
    }

    /// <summary>The result of decoding one frame. A class, not a struct with out parameters, to stay in the nanoFramework subset.</summary>
    public class Pn532FrameDecodeResult
    {
        public Pn532FrameKind Kind;
        /// <summary>Bytes of the input used, garbage before the start code included.</summary>
        public int Consumed;
        public byte Tfi;
        /// <summary>Command or response code followed by its parameters (the frame's PD0..PDn).</summary>
        public byte[] Data;
        public string Problem;
    }

    /// <summary>
    /// PN532 host-interface frames (user manual UM0701-02 §6.2): normal and extended information frames, ACK, NACK and
    /// the error frame. Pure functions over bytes; the same code runs on the ESP32, in the virtual MCU and in the
    /// peripheral simulator (device side).
    /// </summary>
    public static class Pn532Frame
    {
        public const byte HostToPn532 = 0xD4;
        public const byte Pn532ToHost = 0xD5;
        /// <summary>Largest TFI+data a normal frame carries; longer payloads use the extended frame.</summary>
        public const int MaxNormalLength = 255;
        /// <summary>Largest TFI+data we accept in an extended frame (the PN532's buffer is 265 bytes; the margin guards against huge length fields).</summary>
        public const int MaxExtendedLength = 1024;

        public static byte[] Ack() { return new byte[] { 0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00 }; }
        public static byte[] Nack() { return new byte[] { 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00 }; }
        public static byte[] ApplicationError() { return new byte[] { 0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00 }; }

        /// <summary>Builds an information frame: preamble, start code, length, TFI, data, checksum, postamble.</summary>
        public static byte[] Encode(byte tfi, byte[] data, int offset, int count)
        {
            if (data == null) throw new System.ArgumentNullException("data");
            if (offset < 0 || count < 0 || offset + count > data.Length) throw new System.ArgumentOutOfRangeException("count");
            int length = count + 1;
            if (length > MaxExtendedLength) throw new System.ArgumentOutOfRangeException("count", "frame too long");
            bool extended = length > MaxNormalLength;
            byte[] frame = new byte[(extended ? 10 : 7) + length];
            int i = 0;
            frame[i++] = 0x00;
            frame[i++] = 0x00;
            frame[i++] = 0xFF;
            if (extended)
            {
                frame[i++] = 0xFF;
                frame[i++] = 0xFF;
                frame[i++] = (byte)(length >> 8);
                frame[i++] = (byte)length;
                frame[i++] = (byte)(0x100 - (((length >> 8) + length) & 0xFF));
            }
            else
            {
                frame[i++] = (byte)length;
                frame[i++] = (byte)(0x100 - length);
            }
            int sum = tfi;
            frame[i++] = tfi;
            for (int k = 0; k < count; k++)
            {
                byte b = data[offset + k];
                frame[i++] = b;
                sum += b;
            }
            frame[i++] = (byte)(0x100 - (sum & 0xFF));
            frame[i] = 0x00;
            return frame;
        }

        public static byte[] Encode(byte tfi, byte[] data)
        {
            return Encode(tfi, data, 0, data.Length);
        }

        /// <summary>
        /// Decodes the first frame in buffer[offset..offset+count). Bytes before the start code 00 FF (the wake-up
        /// 0x55 bytes, line noise) are skipped and counted in Consumed. Never throws on bad input.
        /// </summary>
        public static Pn532FrameDecodeResult TryDecode(byte[] buffer, int offset, int count)
        {
            Pn532FrameDecodeResult result = new Pn532FrameDecodeResult();
            int end = offset + count;
            int start = -1;
            for (int i = offset; i + 1 < end; i++)
            {
                if (buffer[i] == 0x00 && buffer[i + 1] == 0xFF)
                {
                    start = i + 2;
                    break;
                }
            }
            if (start < 0)
            {
                // Keep a trailing 0x00: it may be the first half of a start code.
                result.Kind = Pn532FrameKind.NeedMore;
                result.Consumed = count > 0 && buffer[end - 1] == 0x00 ? count - 1 : count;
                return result;
            }
            int skipped = start - 2 - offset;
            if (end - start < 2) return NeedMore(result, skipped);

            byte len = buffer[start];
            byte lcs = buffer[start + 1];
            if (len == 0x00 && lcs == 0xFF) return Done(result, Pn532FrameKind.Ack, start + 2 + Postamble(buffer, start + 2, end) - offset);
            if (len == 0xFF && lcs == 0x00) return Done(result, Pn532FrameKind.Nack, start + 2 + Postamble(buffer, start + 2, end) - offset);

            int length;
            int bodyStart;
            if (len == 0xFF && lcs == 0xFF)
            {
                if (end - start < 5) return NeedMore(result, skipped);
                length = (buffer[start + 2] << 8) | buffer[start + 3];
                if (((buffer[start + 2] + buffer[start + 3] + buffer[start + 4]) & 0xFF) != 0)
                    return Garbled(result, start - offset, "extended length checksum wrong");
                if (length < 1 || length > MaxExtendedLength)
                    return Garbled(result, start + 5 - offset, "extended length out of range");
                bodyStart = start + 5;
            }
            else
            {
                if (((len + lcs) & 0xFF) != 0) return Garbled(result, start - offset, "length checksum wrong");
                if (len == 0) return Garbled(result, start + 2 - offset, "empty frame");
                length = len;
                bodyStart = start + 2;
            }

            if (end - bodyStart < length + 1) return NeedMore(result, skipped);
            int sum = 0;
            for (int i = 0; i <= length; i++) sum += buffer[bodyStart + i];
            int afterChecksum = bodyStart + length + 1;
            int consumed = afterChecksum + Postamble(buffer, afterChecksum, end) - offset;
            if ((sum & 0xFF) != 0) return Garbled(result, consumed, "data checksum wrong");

            byte tfi = buffer[bodyStart];
            if (length == 1 && tfi == 0x7F) return Done(result, Pn532FrameKind.ApplicationError, consumed);
            result.Kind = Pn532FrameKind.Information;
            result.Consumed = consumed;
            result.Tfi = tfi;
            result.Data = new byte[length - 1];
            System.Array.Copy(buffer, bodyStart + 1, result.Data, 0, length - 1);
            return result;
        }

        private static int Postamble(byte[] buffer, int index, int end)
        {
            return index < end && buffer[index] == 0x00 ? 1 : 0;
        }

        private static Pn532FrameDecodeResult NeedMore(Pn532FrameDecodeResult result, int skipped)
        {
            result.Kind = Pn532FrameKind.NeedMore;
            result.Consumed = skipped;
            return result;
        }

        private static Pn532FrameDecodeResult Done(Pn532FrameDecodeResult result, Pn532FrameKind kind, int consumed)
        {
            result.Kind = kind;
            result.Consumed = consumed;
            return result;
        }

        private static Pn532FrameDecodeResult Garbled(Pn532FrameDecodeResult result, int consumed, string problem)
        {
            result.Kind = Pn532FrameKind.Garbled;
            result.Consumed = consumed;
            result.Problem = problem;
            return result;
        }
    }
}
