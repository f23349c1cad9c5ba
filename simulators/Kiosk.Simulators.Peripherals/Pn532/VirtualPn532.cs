using Kiosk.Firmware.Protocols.Pn532;
using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.Peripherals.Transport;

namespace Kiosk.Simulators.Peripherals.Pn532;

/// <summary>Bytes the PN532 sends back, after waiting DelayBefore (the time its RF work takes).</summary>
/// <summary>
/// A PN532 in HSU (UART) mode with one ISO 14443-4 card in its field (UM0701-02). Frames are decoded with the firmware's
/// own <see cref="Pn532Frame"/>. Each command is answered with an ACK at once, then the response frame (TFI D5, command
/// code + 1). A NACK from the host asks for the last response again; a frame with a bad checksum is ignored, as the
/// chip does, so the host's timeout and retry logic is exercised. An unknown command gets the syntax-error frame.
/// </summary>
public sealed class VirtualPn532 : ISerialDevice
{
    public const byte GetFirmwareVersion = 0x02;
    public const byte Diagnose = 0x00;
    public const byte GetGeneralStatus = 0x04;
    public const byte SamConfiguration = 0x14;
    public const byte RfConfiguration = 0x32;
    public const byte InDataExchange = 0x40;
    public const byte InDeselect = 0x44;
    public const byte InListPassiveTarget = 0x4A;
    public const byte InPsl = 0x4E;
    public const byte InRelease = 0x52;

    /// <summary>Status byte bits and codes of InDataExchange (UM0701-02 §7.1).</summary>
    public const byte StatusOk = 0x00;
    public const byte StatusTimeout = 0x01;
    public const byte StatusWrongContext = 0x27;
    /// <summary>Invalid parameter: a bit rate the card does not offer (or different rates each way).</summary>
    public const byte StatusInvalidParameter = 0x12;
    public const byte MoreInformationBit = 0x40;

    /// <summary>The most DataIn bytes one InDataExchange response carries; the rest comes on the next request.</summary>
    public const int MaxDataInPerFrame = 262;
    private const int MaxReceiveBuffer = 4096;
    /// <summary>Largest command APDU collected from host-side chaining: an extended APDU (65,544 bytes) and a margin.</summary>
    private const int MaxChainedCommand = 65544 + 16;

    /// <summary>
    /// ATS of an ISO 14443-4 type A card: TL 05, T0 78 (FSCI 8 = 256 bytes, TA/TB/TC present), TA (80 = same bit rate
    /// both ways, plus the rates the placement offers), TB 81 (FWI 8), TC 02.
    /// </summary>
    private static byte[] TypeAAts(int maxBitRateKbps) => [0x05, 0x78, BitRateCapability(maxBitRateKbps), 0x81, 0x02];

    /// <summary>TA(1) / ATQB bit-rate byte: bits 7-5 card to reader, 3-1 reader to card (212, 424, 848), bit 8 same both ways.</summary>
    public static byte BitRateCapability(int maxBitRateKbps)
    {
        int rates = maxBitRateKbps switch { >= 848 => 0x7, >= 424 => 0x3, >= 212 => 0x1, _ => 0 };
        return (byte)(0x80 | (rates << 4) | rates);
    }

    private const int CardFrameSize = 256;
    private const int CardFwi = AirInterfaceTiming.DefaultFwi;
    private int activeBitRate = AirInterfaceTiming.DefaultBitRateKbps;

    private readonly PeripheralState state;
    private readonly List<byte> received = new();
    private byte[]? lastResponse;
    private long? activePlacement;
    private readonly List<byte> chainedCommand = new();
    private byte[]? pendingResponse;
    /// <summary>A placement that leaves the field once the host has the whole answer now pending (removeAfterApdus).</summary>
    private long? leavesAfterResponse;

    public VirtualPn532(PeripheralState state)
    {
        this.state = state;
    }

    public void OnConnected()
    {
        received.Clear();
        chainedCommand.Clear();
        pendingResponse = null;
    }

    /// <summary>
    /// Answers the bytes; an answer's air time counts from the moment the command came in, so the virtual card's own
    /// computing (PACE, chip authentication) falls inside the modelled time like a real chip's does. The ACK goes out
    /// before the command is executed, as the chip acknowledges a frame at once: a slow first activation must not hold
    /// the ACK back past the firmware's ACK timeout.
    /// </summary>
    public Task ReceiveAsync(ReadOnlyMemory<byte> bytes, ISerialOutput output, CancellationToken cancellationToken)
    {
        long receivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        received.AddRange(bytes.ToArray());
        // Lazy: each answer is computed only after the outputs before it (the ACK) have been written.
        return output.SendAllAsync(receivedAt, Drain(), cancellationToken);
    }

    /// <summary>Feeds bytes from the host; returns what the chip sends back, in order. Never throws on bad input.</summary>
    public IReadOnlyList<DeviceOutput> Receive(ReadOnlySpan<byte> bytes)
    {
        received.AddRange(bytes.ToArray());
        return Drain().ToList();
    }

    /// <summary>Decodes the frames received so far and yields the chip's outputs for each, in order.</summary>
    private IEnumerable<DeviceOutput> Drain()
    {
        while (received.Count > 0)
        {
            byte[] buffer = received.ToArray();
            Pn532FrameDecodeResult frame = Pn532Frame.TryDecode(buffer, 0, buffer.Length);
            received.RemoveRange(0, Math.Min(frame.Consumed, received.Count));
            if (frame.Kind == Pn532FrameKind.NeedMore)
            {
                // A length field can promise up to 1 kB; anything beyond that without a frame is noise.
                if (received.Count > MaxReceiveBuffer) received.Clear();
                break;
            }
            switch (frame.Kind)
            {
                case Pn532FrameKind.Nack:
                    if (lastResponse is not null) yield return new DeviceOutput(TimeSpan.Zero, lastResponse);
                    break;
                case Pn532FrameKind.Information when frame.Tfi == Pn532Frame.HostToPn532 && frame.Data.Length > 0:
                    yield return new DeviceOutput(TimeSpan.Zero, Pn532Frame.Ack());
                    (TimeSpan delay, byte[] response) = Execute(frame.Data);
                    lastResponse = response;
                    yield return new DeviceOutput(delay, response);
                    break;
                case Pn532FrameKind.Information:
                    // A frame for the wrong direction, or an empty one: the chip cannot execute it.
                    yield return new DeviceOutput(TimeSpan.Zero, Pn532Frame.Ack());
                    lastResponse = Pn532Frame.ApplicationError();
                    yield return new DeviceOutput(TimeSpan.Zero, lastResponse);
                    break;
                default:
                    // Garbled frames are dropped without an answer, like the chip; a host ACK (abort) has nothing to abort here.
                    break;
            }
        }
    }

    private (TimeSpan Delay, byte[] Frame) Execute(byte[] command)
    {
        byte code = command[0];
        ReadOnlySpan<byte> parameters = command.AsSpan(1);
        return code switch
        {
            GetFirmwareVersion => Respond(code, [0x32, 0x01, 0x06, 0x07]),
            SamConfiguration => parameters.Length >= 1 ? Respond(code, []) : SyntaxError(),
            RfConfiguration => parameters.Length >= 1 ? Respond(code, []) : SyntaxError(),
            Diagnose => ExecuteDiagnose(parameters),
            GetGeneralStatus => ExecuteGetGeneralStatus(),
            InListPassiveTarget => ExecuteInListPassiveTarget(parameters),
            InPsl => ExecuteInPsl(parameters),
            InDataExchange => ExecuteInDataExchange(parameters),
            InRelease or InDeselect => ExecuteRelease(code, parameters),
            _ => SyntaxError(),
        };
    }

    private (TimeSpan, byte[]) ExecuteDiagnose(ReadOnlySpan<byte> parameters)
    {
        if (parameters.Length < 1) return SyntaxError();
        switch (parameters[0])
        {
            case 0x00:
                // Communication line test: the chip echoes the parameters.
                return Respond(Diagnose, parameters.ToArray());
            case 0x06:
                // Attention request test: is the activated card still in the field?
                bool present = ActiveCard() is not null;
                // Presence checks are not part of a read's air time (the APDU log), only of the time the chip is busy.
                return (AirInterfaceTiming.Exchange(1, 1, activeBitRate), Frame(Diagnose, [present ? (byte)0x00 : (byte)0x01]));
            default:
                return SyntaxError();
        }
    }

    private (TimeSpan, byte[]) ExecuteGetGeneralStatus()
    {
        CardPlacement? active = ActiveCard();
        byte[] data = active is null
            ? [0x00, 0x00, 0x00, 0x01]
            : [0x00, 0x01, 0x01, 0x01, 0x00, 0x00, active.Type == CardType.A ? (byte)0x10 : (byte)0x23, 0x01];
        return Respond(GetGeneralStatus, data);
    }

    private (TimeSpan, byte[]) ExecuteInListPassiveTarget(ReadOnlySpan<byte> parameters)
    {
        if (parameters.Length < 2 || parameters[0] is < 1 or > 2) return SyntaxError();
        byte baudRateType = parameters[1];
        CardPlacement? card = state.Card;
        bool matches = card is not null
            && ((baudRateType == 0x00 && card.Type == CardType.A) || (baudRateType == 0x03 && card.Type == CardType.B));
        chainedCommand.Clear();
        pendingResponse = null;
        activeBitRate = AirInterfaceTiming.DefaultBitRateKbps;
        if (!matches)
        {
            activePlacement = null;
            return (AirInterfaceTiming.EmptyPollTime, Frame(InListPassiveTarget, [0x00]));
        }
        activePlacement = card!.Number;
        card.Card.Reset();
        var target = new List<byte> { 0x01, 0x01 }; // NbTg = 1, Tg = 1
        if (card.Type == CardType.A)
        {
            target.AddRange([0x00, 0x04, 0x20, (byte)card.Nfcid.Length]); // SENS_RES, SEL_RES (ISO 14443-4), NFCID length
            target.AddRange(card.Nfcid);
            target.AddRange(TypeAAts(card.MaxBitRateKbps));
        }
        else
        {
            target.Add(0x50); // ATQB: 50, PUPI, application data, protocol info (256-byte frames, ISO 14443-4, FWI 7)
            target.AddRange(card.Nfcid);
            target.AddRange([0x00, 0x00, 0x00, 0x00, card.MaxBitRateKbps > 106 ? BitRateCapability(card.MaxBitRateKbps) : (byte)0x00, 0x81, 0x71]);
            target.AddRange([0x01, 0x00]); // ATTRIB_RES length, ATTRIB_RES
        }
        card.Air.RecordOverhead(AirInterfaceTiming.ActivationTime);
        return (AirInterfaceTiming.ActivationTime, Frame(InListPassiveTarget, target.ToArray()));
    }

    /// <summary>InPSL (UM0701-02 §7.3.11): Tg, BRit, BRti. The card accepts the same rate both ways, up to what it offers.</summary>
    private (TimeSpan, byte[]) ExecuteInPsl(ReadOnlySpan<byte> parameters)
    {
        if (parameters.Length < 3) return SyntaxError();
        CardPlacement? card = ActiveCard();
        if (card is null || parameters[0] != 1) return Respond(InPsl, [StatusWrongContext]);
        int? kbps = parameters[1] switch { 0 => 106, 1 => 212, 2 => 424, 3 => 848, _ => null };
        if (kbps is null || parameters[1] != parameters[2] || kbps > card.MaxBitRateKbps) return Respond(InPsl, [StatusInvalidParameter]);
        activeBitRate = kbps.Value;
        TimeSpan time = AirInterfaceTiming.BitRateSwitch();
        card.Air.RecordOverhead(time);
        return (time, Frame(InPsl, [StatusOk]));
    }

    /// <summary>The bit rate now in use with the activated card (106 until an InPSL switches it).</summary>
    public int ActiveBitRateKbps => activeBitRate;

    private (TimeSpan, byte[]) ExecuteInDataExchange(ReadOnlySpan<byte> parameters)
    {
        if (parameters.Length < 1) return SyntaxError();
        byte targetByte = parameters[0];
        bool hostHasMore = (targetByte & MoreInformationBit) != 0;
        int target = targetByte & 0x3F;
        ReadOnlySpan<byte> dataOut = parameters[1..];
        if (activePlacement is null || target != 1) return Respond(InDataExchange, [StatusWrongContext]);

        CardPlacement? card = ActiveCard();
        if (card is null)
        {
            // The card left the field: the chip waits for the frame-waiting time and reports a timeout.
            chainedCommand.Clear();
            pendingResponse = null;
            return (AirInterfaceTiming.NoAnswer(dataOut.Length, activeBitRate, CardFrameSize, CardFwi), Frame(InDataExchange, [StatusTimeout]));
        }

        if (dataOut.IsEmpty && !hostHasMore && pendingResponse is not null)
        {
            // The host asks for the rest of a response that did not fit one frame.
            return NextResponseChunk(TimeSpan.Zero);
        }
        pendingResponse = null;
        if (chainedCommand.Count + dataOut.Length > MaxChainedCommand)
        {
            // Longer than any extended APDU: the host is broken; drop the chain rather than grow without bound.
            chainedCommand.Clear();
            return Respond(InDataExchange, [StatusInvalidParameter]);
        }
        chainedCommand.AddRange(dataOut.ToArray());
        if (hostHasMore)
        {
            // Host-side chaining: the PN532 collects the APDU; its blocks go on the air (and are timed) with the last part.
            return (TimeSpan.Zero, Frame(InDataExchange, [StatusOk]));
        }
        byte[] apdu = chainedCommand.ToArray();
        chainedCommand.Clear();
        byte[] answer = card.Card.Process(apdu);
        pendingResponse = answer;
        leavesAfterResponse = card.CountApduAndCheckLeaving() ? card.Number : null;
        TimeSpan air = AirInterfaceTiming.Exchange(apdu.Length, answer.Length, activeBitRate, CardFrameSize, CardFwi);
        card.Air.Record(apdu.Length, answer.Length, air);
        return NextResponseChunk(air);
    }

    private (TimeSpan, byte[]) NextResponseChunk(TimeSpan delay)
    {
        byte[] remaining = pendingResponse!;
        int length = Math.Min(remaining.Length, MaxDataInPerFrame);
        bool more = remaining.Length > length;
        pendingResponse = more ? remaining[length..] : null;
        if (!more && leavesAfterResponse is long leaving)
        {
            // Card removed mid-read: it answered its last APDU and is gone; the next exchange times out.
            leavesAfterResponse = null;
            state.RemoveCard(leaving);
        }
        byte[] data = new byte[length + 1];
        data[0] = more ? MoreInformationBit : StatusOk;
        remaining.AsSpan(0, length).CopyTo(data.AsSpan(1));
        return (delay, Frame(InDataExchange, data));
    }

    private (TimeSpan, byte[]) ExecuteRelease(byte code, ReadOnlySpan<byte> parameters)
    {
        if (parameters.Length < 1) return SyntaxError();
        byte target = parameters[0];
        if (target != 0 && target != 1) return Respond(code, [StatusWrongContext]);
        if (activePlacement is not null && code == InRelease)
        {
            activeBitRate = AirInterfaceTiming.DefaultBitRateKbps;
            ActiveCard()?.Card.Reset();
            activePlacement = null;
        }
        chainedCommand.Clear();
        pendingResponse = null;
        return Respond(code, [StatusOk]);
    }

    /// <summary>The activated card, if that same placement is still on the reader.</summary>
    private CardPlacement? ActiveCard()
    {
        CardPlacement? card = state.Card;
        return card is not null && card.Number == activePlacement ? card : null;
    }

    private static (TimeSpan, byte[]) Respond(byte commandCode, byte[] data) => (TimeSpan.Zero, Frame(commandCode, data));

    private static byte[] Frame(byte commandCode, byte[] data)
    {
        byte[] body = new byte[data.Length + 1];
        body[0] = (byte)(commandCode + 1);
        data.CopyTo(body, 1);
        return Pn532Frame.Encode(Pn532Frame.Pn532ToHost, body);
    }

    private static (TimeSpan, byte[]) SyntaxError() => (TimeSpan.Zero, Pn532Frame.ApplicationError());
}
