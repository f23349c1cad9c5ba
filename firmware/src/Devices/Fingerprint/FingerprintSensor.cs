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
        private bool _pending;
        private bool _sawGarbage;
        private long _deadline;

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
            Begin(instruction, parameters, timeoutMilliseconds);
            FingerprintResult result;
            while ((result = Poll(timeoutMilliseconds)) == null)
            {
            }
            return result;
        }

        /// <summary>True from <see cref="Begin"/> until <see cref="Poll"/> has returned that command's result.</summary>
        public bool IsBusy { get { return _pending; } }

        /// <summary>
        /// Sends one command packet and returns at once: the main loop polls for the ack with <see cref="Poll"/>, so an
        /// image capture (a tenth of a second or more) never holds up the card reader on its own UART.
        /// </summary>
        public void Begin(byte instruction, byte[] parameters, int timeoutMilliseconds)
        {
            int parameterLength = parameters == null ? 0 : parameters.Length;
            byte[] payload = new byte[1 + parameterLength];
            payload[0] = instruction;
            if (parameterLength > 0) System.Array.Copy(parameters, 0, payload, 1, parameterLength);
            byte[] packet = FingerprintPacket.Encode(_address, FingerprintPacketType.Command, payload);

            _link.DiscardInput();
            _received = 0;
            _sawGarbage = false;
            _pending = true;
            _deadline = _clock.NowMilliseconds + timeoutMilliseconds;
            _link.Write(packet, 0, packet.Length);
        }

        /// <summary>
        /// Waits at most waitMilliseconds (0: only what has arrived) for the ack of the command begun. Returns null while
        /// it is still due; its result once it came (Answered), or Timeout / Garbled once its time is up.
        /// </summary>
        public FingerprintResult Poll(int waitMilliseconds)
        {
            if (!_pending) throw new System.InvalidOperationException("no fingerprint command in progress");
            long until = _clock.NowMilliseconds + waitMilliseconds;
            while (true)
            {
                FingerprintResult answer = DecodeBuffered();
                if (answer != null)
                {
                    _pending = false;
                    return answer;
                }
                long now = _clock.NowMilliseconds;
                if (now >= _deadline)
                {
                    _pending = false;
                    FingerprintResult failed = new FingerprintResult();
                    failed.Status = _sawGarbage ? FingerprintStatus.Garbled : FingerprintStatus.Timeout;
                    failed.Data = new byte[0];
                    return failed;
                }
                long wait = (until < _deadline ? until : _deadline) - now;
                int count = _link.Read(_receive, _received, _receive.Length - _received, wait > 0 ? (int)wait : 0);
                if (count > 0)
                {
                    _received += count;
                    continue;
                }
                if (_clock.NowMilliseconds >= until) return null;
            }
        }

        /// <summary>The ack among the bytes received so far, or null; noise and other packets are dropped.</summary>
        private FingerprintResult DecodeBuffered()
        {
            while (_received > 0)
            {
                FingerprintDecodeResult decoded = FingerprintPacket.TryDecode(_receive, 0, _received);
                if (decoded.Status == FingerprintDecodeStatus.NeedMore)
                {
                    Drop(decoded.Consumed); // noise before a start code
                    // A full buffer that still needs more can never become a packet: start again.
                    if (_received == _receive.Length) _received = 0;
                    return null;
                }
                Drop(decoded.Consumed > 0 ? decoded.Consumed : 1);
                if (decoded.Status == FingerprintDecodeStatus.Packet && decoded.Type == FingerprintPacketType.Ack && decoded.Payload.Length >= 1)
                    return Answered(decoded.Payload);
                _sawGarbage = true;
            }
            return null;
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
