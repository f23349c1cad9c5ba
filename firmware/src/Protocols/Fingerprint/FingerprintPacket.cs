namespace Kiosk.Firmware.Protocols.Fingerprint
{
    /// <summary>Packet identifiers of the R30x / R503 / AS608 family.</summary>
    public enum FingerprintPacketType
    {
        Command = 0x01,
        Data = 0x02,
        Ack = 0x07,
        EndOfData = 0x08,
    }

    public enum FingerprintDecodeStatus
    {
        /// <summary>Not a whole packet yet: read more bytes and try again.</summary>
        NeedMore = 0,
        Packet = 1,
        /// <summary>Wrong checksum, unknown packet type or impossible length; Consumed says how many bytes to drop.</summary>
        Garbled = 2,
    }

    public class FingerprintDecodeResult
    {
        public FingerprintDecodeStatus Status;
        public int Consumed;
        public uint Address;
        public FingerprintPacketType Type;
        /// <summary>The packet's content without the checksum: for an ack, the confirmation code then the data.</summary>
        public byte[] Payload;
        public string Problem;
    }

    /// <summary>
    /// The UART packet of the R30x fingerprint family: EF 01, 4-byte address, packet type, 2-byte length (payload plus
    /// the 2-byte checksum), payload, 16-bit sum of type, length and payload. Big-endian throughout. Pure functions over bytes.
    /// </summary>
    public static class FingerprintPacket
    {
        public const uint DefaultAddress = 0xFFFFFFFF;
        /// <summary>The module's largest data packet is 256 bytes; anything longer is line noise.</summary>
        public const int MaxPayload = 256;

        public static byte[] Encode(uint address, FingerprintPacketType type, byte[] payload)
        {
            if (payload == null) throw new System.ArgumentNullException("payload");
            if (payload.Length > MaxPayload) throw new System.ArgumentOutOfRangeException("payload", "payload too long");
            int length = payload.Length + 2;
            byte[] packet = new byte[9 + length];
            packet[0] = 0xEF;
            packet[1] = 0x01;
            packet[2] = (byte)(address >> 24);
            packet[3] = (byte)(address >> 16);
            packet[4] = (byte)(address >> 8);
            packet[5] = (byte)address;
            packet[6] = (byte)type;
            packet[7] = (byte)(length >> 8);
            packet[8] = (byte)length;
            int sum = (int)type + (length >> 8) + (length & 0xFF);
            for (int i = 0; i < payload.Length; i++)
            {
                packet[9 + i] = payload[i];
                sum += payload[i];
            }
            packet[9 + payload.Length] = (byte)(sum >> 8);
            packet[10 + payload.Length] = (byte)sum;
            return packet;
        }

        /// <summary>Decodes the first packet in buffer[offset..offset+count), skipping bytes before the EF 01 start code. Never throws on bad input.</summary>
        public static FingerprintDecodeResult TryDecode(byte[] buffer, int offset, int count)
        {
            FingerprintDecodeResult result = new FingerprintDecodeResult();
            int end = offset + count;
            int start = -1;
            for (int i = offset; i + 1 < end; i++)
            {
                if (buffer[i] == 0xEF && buffer[i + 1] == 0x01)
                {
                    start = i;
                    break;
                }
            }
            if (start < 0)
            {
                result.Status = FingerprintDecodeStatus.NeedMore;
                result.Consumed = count > 0 && buffer[end - 1] == 0xEF ? count - 1 : count;
                return result;
            }
            if (end - start < 9)
            {
                result.Status = FingerprintDecodeStatus.NeedMore;
                result.Consumed = start - offset;
                return result;
            }
            byte type = buffer[start + 6];
            int length = (buffer[start + 7] << 8) | buffer[start + 8];
            if ((type != 0x01 && type != 0x02 && type != 0x07 && type != 0x08) || length < 2 || length > MaxPayload + 2)
            {
                return Garbled(result, start + 2 - offset, "bad packet type or length");
            }
            if (end - start < 9 + length)
            {
                result.Status = FingerprintDecodeStatus.NeedMore;
                result.Consumed = start - offset;
                return result;
            }
            int payloadLength = length - 2;
            int sum = type + (length >> 8) + (length & 0xFF);
            for (int i = 0; i < payloadLength; i++) sum += buffer[start + 9 + i];
            int expected = (buffer[start + 9 + payloadLength] << 8) | buffer[start + 10 + payloadLength];
            if ((sum & 0xFFFF) != expected)
            {
                return Garbled(result, start + 9 + length - offset, "checksum wrong");
            }
            result.Status = FingerprintDecodeStatus.Packet;
            result.Consumed = start + 9 + length - offset;
            result.Address = ((uint)buffer[start + 2] << 24) | ((uint)buffer[start + 3] << 16) | ((uint)buffer[start + 4] << 8) | buffer[start + 5];
            result.Type = (FingerprintPacketType)type;
            result.Payload = new byte[payloadLength];
            System.Array.Copy(buffer, start + 9, result.Payload, 0, payloadLength);
            return result;
        }

        private static FingerprintDecodeResult Garbled(FingerprintDecodeResult result, int consumed, string problem)
        {
            result.Status = FingerprintDecodeStatus.Garbled;
            result.Consumed = consumed;
            result.Problem = problem;
            return result;
        }
    }
}
