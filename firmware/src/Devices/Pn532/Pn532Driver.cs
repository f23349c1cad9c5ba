using Kiosk.Firmware.Platform;
using Kiosk.Firmware.Protocols.Pn532;

namespace Kiosk.Firmware.Devices.Pn532
{
    /// <summary>
    /// The PN532 NFC controller on its HSU (UART) interface. Every call is bounded in time and returns a
    /// <see cref="Pn532Result"/>; nothing here throws on a silent, garbled or endless byte stream.
    /// Not thread-safe: one thread (the firmware's main loop) owns the serial link.
    /// </summary>
    public class Pn532Driver
    {
        /// <summary>Largest response APDU we assemble from chained frames: 65,536 data bytes, SW1 SW2 and a margin.</summary>
        public const int MaxResponseLength = 65546;
        /// <summary>Largest command APDU (extended length) the driver sends.</summary>
        public const int MaxCommandLength = 65544;

        /// <summary>
        /// Most InDataExchange frames one response may take: a full 65,546-byte answer in 262-byte frames is 251, so a card
        /// that chains beyond this (or keeps sending empty chained frames) is broken or hostile.
        /// </summary>
        public const int MaxResponseFrames = 300;
        /// <summary>Empty chained frames (MI set, no data) tolerated in one response.</summary>
        public const int MaxEmptyChainedFrames = 2;

        private const int MaxSendAttempts = 2;
        private const int MaxNacks = 2;

        private readonly ISerialLink _link;
        private readonly IClock _clock;
        // Room for two largest frames the codec accepts: an ACK and the answer often arrive in one read.
        private readonly byte[] _receive = new byte[2 * (Pn532Frame.MaxExtendedLength + 16)];
        private int _received;

        /// <summary>How long the PN532 has to acknowledge a frame.</summary>
        public int AckTimeoutMilliseconds = 100;
        /// <summary>Extra wait for the ACK of an InDataExchange, which is not sent twice (see <see cref="Execute"/>).</summary>
        public int LateAckTimeoutMilliseconds = 400;
        /// <summary>How long a plain command (not talking to a card) may take.</summary>
        public int CommandTimeoutMilliseconds = 500;
        /// <summary>How long the card may take for one InDataExchange frame (crypto on a chip card takes a while).</summary>
        public int ExchangeTimeoutMilliseconds = 3000;
        /// <summary>How long one whole APDU exchange (all chained frames both ways) may take; the host gives up after 5 s.</summary>
        public int ExchangeTotalTimeoutMilliseconds = 4500;

        public Pn532Driver(ISerialLink link, IClock clock)
        {
            _link = link;
            _clock = clock;
        }

        /// <summary>Wakes the PN532 from power-down and puts it in normal mode: wake-up bytes, then SAMConfiguration.</summary>
        public Pn532Result WakeUp()
        {
            byte[] wake = Pn532Commands.WakeUpSequence();
            _link.Write(wake, 0, wake.Length);
            return Execute(Pn532Commands.SamConfigurationNormal(), CommandTimeoutMilliseconds);
        }

        public Pn532Result GetFirmwareVersion(out Pn532FirmwareVersion version)
        {
            Pn532Result result = Execute(new byte[] { Pn532Commands.GetFirmwareVersion }, CommandTimeoutMilliseconds);
            version = result.IsOk ? Pn532Commands.ParseFirmwareVersion(result.Data) : null;
            if (result.IsOk && version == null) return Pn532Result.Failed(Pn532Status.DeviceError, 0, "firmware version too short");
            return result;
        }

        public Pn532Result ConfigureSam()
        {
            return Execute(Pn532Commands.SamConfigurationNormal(), CommandTimeoutMilliseconds);
        }

        public Pn532Result ConfigureMaxRetries()
        {
            return Execute(Pn532Commands.RfConfigurationMaxRetries(), CommandTimeoutMilliseconds);
        }

        public Pn532Result SetRfField(bool on)
        {
            return Execute(Pn532Commands.RfConfigurationField(on), CommandTimeoutMilliseconds);
        }

        /// <summary>Looks for one card of the given type; NoCard when none answered.</summary>
        public Pn532Result ListPassiveTarget(CardType type, out Pn532Target target)
        {
            target = null;
            Pn532Result result = Execute(Pn532Commands.InListPassiveTargetCommand(type), CommandTimeoutMilliseconds);
            if (!result.IsOk) return result;
            target = Pn532Commands.ParseListedTarget(result.Data, type);
            if (target == null && result.Data.Length > 0 && result.Data[0] != 0)
                return Pn532Result.Failed(Pn532Status.DeviceError, 0, "target data does not fit the card type");
            if (target == null) return Pn532Result.Failed(Pn532Status.NoCard, 0, "no target");
            return result;
        }

        /// <summary>
        /// Switches an activated target to the given bit rate (both ways) with InPSL. On success the target's
        /// BitRateKbps is updated; on failure it stays as it was (the card still talks at its old rate).
        /// </summary>
        public Pn532Result SetBitRate(Pn532Target target, int kbps)
        {
            if (target == null) return Pn532Result.Failed(Pn532Status.DeviceError, 0, "no target");
            Pn532Result result = CheckStatusByte(Execute(Pn532Commands.InPslCommand(target.TargetNumber, kbps), CommandTimeoutMilliseconds));
            if (result.IsOk) target.BitRateKbps = kbps;
            return result;
        }

        public Pn532Result Release(byte targetNumber)
        {
            Pn532Result result = Execute(Pn532Commands.InReleaseCommand(targetNumber), CommandTimeoutMilliseconds);
            return CheckStatusByte(result);
        }

        /// <summary>The card presence test: Ok while the activated card still answers, NoCard once it has gone.</summary>
        public Pn532Result CheckCardPresence()
        {
            Pn532Result result = Execute(Pn532Commands.DiagnoseCardPresenceCommand(), CommandTimeoutMilliseconds);
            if (!result.IsOk) return result;
            if (result.Data.Length < 1) return Pn532Result.Failed(Pn532Status.DeviceError, 0, "diagnose answer too short");
            byte code = (byte)(result.Data[0] & 0x3F);
            if (code == 0) return result;
            return Pn532Result.Failed(Pn532Status.NoCard, code, "card presence test failed");
        }

        /// <summary>
        /// Sends one command APDU with InDataExchange and returns the response APDU in Data. Long APDUs go in chunks
        /// with MI set on the target byte; a response with MI in its status byte is fetched chunk by chunk, up to
        /// <see cref="MaxResponseLength"/> bytes.
        /// </summary>
        public Pn532Result Exchange(byte targetNumber, byte[] apdu)
        {
            if (apdu == null || apdu.Length == 0 || apdu.Length > MaxCommandLength)
                return Pn532Result.Failed(Pn532Status.DeviceError, 0, "command APDU length out of range");

            long deadline = _clock.NowMilliseconds + ExchangeTotalTimeoutMilliseconds;
            Pn532Result answer = null;
            int sent = 0;
            while (sent < apdu.Length)
            {
                int chunk = apdu.Length - sent;
                if (chunk > Pn532Commands.MaxDataOutPerFrame) chunk = Pn532Commands.MaxDataOutPerFrame;
                bool more = sent + chunk < apdu.Length;
                answer = CheckStatusByte(Execute(Pn532Commands.InDataExchangeCommand(targetNumber, more, apdu, sent, chunk), FrameTimeout(deadline)));
                if (!answer.IsOk) return answer;
                sent += chunk;
                if (more && _clock.NowMilliseconds >= deadline) return AbortChain(targetNumber, "command chaining took too long");
            }

            byte[] response = new byte[256];
            int length = 0;
            int frames = 0;
            int empty = 0;
            while (true)
            {
                frames++;
                int dataLength = answer.Data.Length - 1;
                if (length + dataLength > MaxResponseLength)
                {
                    return AbortChain(targetNumber, "response APDU too long");
                }
                if (length + dataLength > response.Length)
                {
                    int capacity = response.Length * 2;
                    while (capacity < length + dataLength) capacity *= 2;
                    if (capacity > MaxResponseLength) capacity = MaxResponseLength;
                    byte[] bigger = new byte[capacity];
                    System.Array.Copy(response, 0, bigger, 0, length);
                    response = bigger;
                }
                System.Array.Copy(answer.Data, 1, response, length, dataLength);
                length += dataLength;

                if ((answer.Data[0] & Pn532Commands.MoreInformation) == 0) break;
                if (dataLength == 0 && ++empty > MaxEmptyChainedFrames) return AbortChain(targetNumber, "empty chained frames");
                if (frames >= MaxResponseFrames) return AbortChain(targetNumber, "too many chained frames");
                if (_clock.NowMilliseconds >= deadline) return AbortChain(targetNumber, "response chaining took too long");
                // The card chains its answer: an empty InDataExchange asks for the next part.
                answer = CheckStatusByte(Execute(Pn532Commands.InDataExchangeCommand(targetNumber, false, apdu, 0, 0), FrameTimeout(deadline)));
                if (!answer.IsOk) return answer;
            }

            byte[] exact = new byte[length];
            System.Array.Copy(response, 0, exact, 0, length);
            return Pn532Result.Ok(exact);
        }

        /// <summary>One frame's timeout: the per-frame limit, but never past the whole exchange's deadline (at least 1 ms).</summary>
        private int FrameTimeout(long deadline)
        {
            long left = deadline - _clock.NowMilliseconds;
            if (left < 1) left = 1;
            return left < ExchangeTimeoutMilliseconds ? (int)left : ExchangeTimeoutMilliseconds;
        }

        /// <summary>
        /// Gives up on a chain the card will not finish: the half-read answer is dropped (memory back at once) and the
        /// card deselected, so the next APDU does not land in the middle of the old chain.
        /// </summary>
        private Pn532Result AbortChain(byte targetNumber, string problem)
        {
            Execute(Pn532Commands.InReleaseCommand(targetNumber), CommandTimeoutMilliseconds);
            return Pn532Result.Failed(Pn532Status.DeviceError, 0, problem);
        }

        /// <summary>
        /// For commands whose first response parameter is a status byte (InDataExchange, InRelease): maps its error code
        /// (low 6 bits) to NoCard or DeviceError. Data keeps the status byte on success.
        /// </summary>
        private static Pn532Result CheckStatusByte(Pn532Result result)
        {
            if (!result.IsOk) return result;
            if (result.Data.Length < 1) return Pn532Result.Failed(Pn532Status.DeviceError, 0, "status byte missing");
            byte code = (byte)(result.Data[0] & 0x3F);
            if (code == 0) return result;
            if (Pn532Commands.MeansNoCard(code)) return Pn532Result.Failed(Pn532Status.NoCard, code, "card did not answer");
            return Pn532Result.Failed(Pn532Status.DeviceError, code, "PN532 reported an error");
        }

        /// <summary>
        /// Sends one command (code and parameters) and waits for its ACK and its answer. A NACK or a garbled ACK makes us
        /// send the command again; a garbled answer makes us send a NACK so the PN532 repeats it. An answer that does
        /// not come in time is aborted with an ACK. Data of the result is the answer without its response code.
        /// </summary>
        public Pn532Result Execute(byte[] command, int responseTimeoutMilliseconds)
        {
            byte[] frame = Pn532Frame.Encode(Pn532Frame.HostToPn532, command);
            bool acknowledged = false;
            // A command that reaches the card (InDataExchange) is never sent twice on a missing ACK: the PN532 may have
            // taken it and only the ACK is late, and a card must not get e.g. a GENERAL AUTHENTICATE step twice. A NACK
            // (the frame was not received) is still answered by sending it again.
            bool resendOnSilence = command[0] != Pn532Commands.InDataExchange;
            for (int attempt = 0; attempt < MaxSendAttempts && !acknowledged; attempt++)
            {
                _link.DiscardInput();
                _received = 0;
                _link.Write(frame, 0, frame.Length);
                Pn532FrameDecodeResult ack = ReadAck(AckTimeoutMilliseconds);
                if (ack == null && !resendOnSilence)
                {
                    // Give a late ACK (a busy link) more time instead of sending the command a second time.
                    ack = ReadAck(LateAckTimeoutMilliseconds);
                    if (ack == null) break;
                }
                if (ack == null) continue;
                if (ack.Kind == Pn532FrameKind.Ack) acknowledged = true;
            }
            if (!acknowledged) return Pn532Result.Failed(Pn532Status.Timeout, 0, "no ACK");

            int nacks = 0;
            long deadline = _clock.NowMilliseconds + responseTimeoutMilliseconds;
            while (true)
            {
                long remaining = deadline - _clock.NowMilliseconds;
                Pn532FrameDecodeResult answer = remaining > 0 ? ReadFrame((int)remaining) : null;
                if (answer == null)
                {
                    // An ACK from the host aborts the command the PN532 is still working on (UM0701 §6.2.1.3).
                    byte[] abort = Pn532Frame.Ack();
                    _link.Write(abort, 0, abort.Length);
                    return Pn532Result.Failed(Pn532Status.Timeout, 0, "no answer");
                }
                switch (answer.Kind)
                {
                    case Pn532FrameKind.Information:
                        return CheckAnswer(command[0], answer);
                    case Pn532FrameKind.ApplicationError:
                        return Pn532Result.Failed(Pn532Status.DeviceError, 0x7F, "PN532 error frame");
                    case Pn532FrameKind.Garbled:
                        if (++nacks > MaxNacks) return Pn532Result.Failed(Pn532Status.DeviceError, 0, "garbled answer");
                        byte[] nack = Pn532Frame.Nack();
                        _link.Write(nack, 0, nack.Length);
                        break;
                    default:
                        // A stray ACK or NACK: keep waiting for the answer.
                        break;
                }
            }
        }

        /// <summary>
        /// The frame that acknowledges the command just sent (ACK, NACK or garbled), or null when none came in time. The
        /// PN532 always sends its ACK before the answer, so an answer (or error frame) that comes first belongs to an
        /// earlier command that timed out here and answered late: it is dropped. Taking it for this command's answer
        /// would e.g. turn the late type A answer of a card search into a type B card.
        /// </summary>
        private Pn532FrameDecodeResult ReadAck(int timeoutMilliseconds)
        {
            long deadline = _clock.NowMilliseconds + timeoutMilliseconds;
            while (true)
            {
                long remaining = deadline - _clock.NowMilliseconds;
                Pn532FrameDecodeResult frame = remaining > 0 ? ReadFrame((int)remaining) : null;
                if (frame == null) return null;
                if (frame.Kind != Pn532FrameKind.Information && frame.Kind != Pn532FrameKind.ApplicationError) return frame;
            }
        }

        private static Pn532Result CheckAnswer(byte commandCode, Pn532FrameDecodeResult answer)
        {
            if (answer.Tfi != Pn532Frame.Pn532ToHost || answer.Data.Length < 1 || answer.Data[0] != (byte)(commandCode + 1))
            {
                return Pn532Result.Failed(Pn532Status.DeviceError, 0, "unexpected answer");
            }
            byte[] parameters = new byte[answer.Data.Length - 1];
            System.Array.Copy(answer.Data, 1, parameters, 0, parameters.Length);
            return Pn532Result.Ok(parameters);
        }

        /// <summary>Returns the next ACK, NACK, error, information or garbled frame, or null when none came in time.</summary>
        private Pn532FrameDecodeResult ReadFrame(int timeoutMilliseconds)
        {
            long deadline = _clock.NowMilliseconds + timeoutMilliseconds;
            bool decodeFirst = _received > 0;
            while (true)
            {
                if (decodeFirst)
                {
                    Pn532FrameDecodeResult result = Pn532Frame.TryDecode(_receive, 0, _received);
                    int consumed = result.Consumed;
                    if (result.Kind != Pn532FrameKind.NeedMore && consumed == 0) consumed = 1;
                    Drop(consumed);
                    if (result.Kind != Pn532FrameKind.NeedMore) return result;
                    // A buffer full of something that never completes is noise: start over rather than stall.
                    if (_received == _receive.Length) _received = 0;
                }
                long remaining = deadline - _clock.NowMilliseconds;
                if (remaining <= 0) return null;
                int count = _link.Read(_receive, _received, _receive.Length - _received, (int)remaining);
                if (count <= 0)
                {
                    decodeFirst = false;
                    continue;
                }
                _received += count;
                decodeFirst = true;
            }
        }

        private void Drop(int count)
        {
            if (count <= 0) return;
            if (count >= _received)
            {
                _received = 0;
                return;
            }
            System.Array.Copy(_receive, count, _receive, 0, _received - count);
            _received -= count;
        }
    }
}
