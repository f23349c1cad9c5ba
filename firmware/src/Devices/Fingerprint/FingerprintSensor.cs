using Kiosk.Firmware.Platform;
using Kiosk.Firmware.Protocols.Fingerprint;

namespace Kiosk.Firmware.Devices.Fingerprint
{
    /// <summary>
    /// An R30x-family fingerprint module on a UART. <see cref="Execute"/> sends any instruction and returns the typed
    /// ack, so enrolment and matching (Img2Tz, RegModel, Store, Search...) are added as thin methods over it.
    /// Not thread-safe: the firmware's main loop owns the link.
    /// </summary>
    public class FingerprintSensor
    {
        private readonly ISerialLink _link;
        private readonly IClock _clock;
        private readonly uint _address;
        private readonly byte[] _receive = new byte[2 * (FingerprintPacket.MaxPayload + 11)];
        private int _received;

        /// <summary>Adafruit's default; image capture takes under 0.5 s on R305/R307.</summary>
        public int ResponseTimeoutMilliseconds = 1000;

        public FingerprintSensor(ISerialLink link, IClock clock)
            : this(link, clock, FingerprintPacket.DefaultAddress)
        {
        }

        public FingerprintSensor(ISerialLink link, IClock clock, uint address)
        {
            _link = link;
            _clock = clock;
            _address = address;
        }

        /// <summary>Reads the system parameters: the start-up presence check.</summary>
        public FingerprintResult ReadSystemParameters(out FingerprintSystemParameters parameters)
        {
            FingerprintResult result = Execute(FingerprintInstruction.ReadSysPara, null, ResponseTimeoutMilliseconds);
            parameters = result.IsOk ? FingerprintSystemParameters.Parse(result.Data) : null;
            return result;
        }

        /// <summary>Tries to capture an image: Confirmation Ok means a finger is on the glass, NoFinger means none.</summary>
        public FingerprintResult CaptureImage()
        {
            return Execute(FingerprintInstruction.GenImg, null, ResponseTimeoutMilliseconds);
        }

        /// <summary>Sends one command packet (instruction then parameters) and waits for its ack packet.</summary>
        public FingerprintResult Execute(byte instruction, byte[] parameters, int timeoutMilliseconds)
        {
            int parameterLength = parameters == null ? 0 : parameters.Length;
            byte[] payload = new byte[1 + parameterLength];
            payload[0] = instruction;
            if (parameterLength > 0) System.Array.Copy(parameters, 0, payload, 1, parameterLength);
            byte[] packet = FingerprintPacket.Encode(_address, FingerprintPacketType.Command, payload);

            _link.DiscardInput();
            _received = 0;
            _link.Write(packet, 0, packet.Length);

            bool sawGarbage = false;
            long deadline = _clock.NowMilliseconds + timeoutMilliseconds;
            bool decodeFirst = false;
            while (true)
            {
                if (decodeFirst)
                {
                    FingerprintDecodeResult decoded = FingerprintPacket.TryDecode(_receive, 0, _received);
                    int consumed = decoded.Consumed;
                    if (decoded.Status != FingerprintDecodeStatus.NeedMore && consumed == 0) consumed = 1;
                    Drop(consumed);
                    if (decoded.Status == FingerprintDecodeStatus.Packet)
                    {
                        if (decoded.Type == FingerprintPacketType.Ack && decoded.Payload.Length >= 1) return Answered(decoded.Payload);
                        sawGarbage = true;
                        continue;
                    }
                    if (decoded.Status == FingerprintDecodeStatus.Garbled)
                    {
                        sawGarbage = true;
                        continue;
                    }
                    if (_received == _receive.Length) _received = 0;
                }
                long remaining = deadline - _clock.NowMilliseconds;
                if (remaining <= 0)
                {
                    FingerprintResult failed = new FingerprintResult();
                    failed.Status = sawGarbage ? FingerprintStatus.Garbled : FingerprintStatus.Timeout;
                    failed.Data = new byte[0];
                    return failed;
                }
                int count = _link.Read(_receive, _received, _receive.Length - _received, (int)remaining);
                decodeFirst = count > 0;
                if (count > 0) _received += count;
            }
        }

        private static FingerprintResult Answered(byte[] payload)
        {
            FingerprintResult result = new FingerprintResult();
            result.Status = FingerprintStatus.Answered;
            result.Confirmation = (FingerprintConfirmation)payload[0];
            result.Data = new byte[payload.Length - 1];
            System.Array.Copy(payload, 1, result.Data, 0, result.Data.Length);
            return result;
        }

        private void Drop(int count)
        {
            if (count >= _received)
            {
                _received = 0;
                return;
            }
            if (count <= 0) return;
            System.Array.Copy(_receive, count, _receive, 0, _received - count);
            _received -= count;
        }
    }
}
