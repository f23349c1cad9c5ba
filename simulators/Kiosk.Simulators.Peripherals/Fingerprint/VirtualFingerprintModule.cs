using Kiosk.Firmware.Protocols.Fingerprint;
using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.Peripherals.Transport;

namespace Kiosk.Simulators.Peripherals.Fingerprint;

/// <summary>Bytes the module sends back after DelayBefore (the sensor's work).</summary>
/// <summary>
/// An R30x-family fingerprint module (firmware-and-devices.md §4) at address FFFFFFFF with password 0, decoded with the
/// firmware's own <see cref="FingerprintPacket"/>. Whether a finger lies on the sensor comes from the control page.
/// A command packet with a wrong checksum is answered with confirmation code 0x01 (packet receive error), as the module
/// does; line noise that is not even a packet header gets no answer.
/// </summary>
public sealed class VirtualFingerprintModule : ISerialDevice
{
    public const byte GenImg = 0x01;
    public const byte Img2Tz = 0x02;
    public const byte ReadSysPara = 0x0F;
    public const byte VfyPwd = 0x13;
    public const byte TemplateNum = 0x1D;

    public const byte Ok = 0x00;
    public const byte PacketReceiveError = 0x01;
    public const byte NoFinger = 0x02;
    public const byte ImageTooMessy = 0x06;
    public const byte WrongPassword = 0x13;

    public const ushort Capacity = 1000;
    public const ushort SecurityLevel = 3;
    /// <summary>Packet size code 2 = 128 bytes; baud multiplier 6 = 57600 baud (the module's defaults).</summary>
    public const ushort PacketSizeCode = 2;
    public const ushort BaudMultiplier = 6;

    /// <summary>R307 datasheet: image capture under 0.3 s; 100 ms keeps the demo brisk but still observable.</summary>
    public static readonly TimeSpan ImageCaptureTime = TimeSpan.FromMilliseconds(100);
    private const int MaxReceiveBuffer = 4096;

    private readonly PeripheralState state;
    private readonly List<byte> received = new();
    /// <summary>The image buffer holds a finger from the last successful GenImg (it stays after the finger is lifted).</summary>
    private bool imageHoldsFinger;

    public VirtualFingerprintModule(PeripheralState state)
    {
        this.state = state;
    }

    public uint Address => FingerprintPacket.DefaultAddress;

    public void OnConnected() => received.Clear();

    public Task ReceiveAsync(ReadOnlyMemory<byte> bytes, ISerialOutput output, CancellationToken cancellationToken) =>
        output.SendAllAsync(Receive(bytes.Span), cancellationToken);

    /// <summary>Feeds bytes from the host; returns the ack packets to send, in order. Never throws on bad input.</summary>
    public IReadOnlyList<DeviceOutput> Receive(ReadOnlySpan<byte> bytes)
    {
        var outputs = new List<DeviceOutput>();
        received.AddRange(bytes.ToArray());
        while (received.Count > 0)
        {
            byte[] buffer = received.ToArray();
            FingerprintDecodeResult packet = FingerprintPacket.TryDecode(buffer, 0, buffer.Length);
            received.RemoveRange(0, Math.Min(packet.Consumed, received.Count));
            if (packet.Status == FingerprintDecodeStatus.NeedMore)
            {
                if (received.Count > MaxReceiveBuffer) received.Clear();
                break;
            }
            if (packet.Status == FingerprintDecodeStatus.Garbled)
            {
                // The decoder drops a whole packet (more than its start code) only when the checksum was wrong; a bad
                // type or length drops just the start code and is line noise.
                int start = StartCodeIndex(buffer);
                if (start >= 0 && packet.Consumed > start + 2) outputs.Add(Answer(TimeSpan.Zero, PacketReceiveError));
                continue;
            }
            if (packet.Address != Address || packet.Type != FingerprintPacketType.Command) continue;
            outputs.Add(Execute(packet.Payload));
        }
        return outputs;
    }

    private static int StartCodeIndex(byte[] buffer)
    {
        for (int i = 0; i + 1 < buffer.Length; i++)
        {
            if (buffer[i] == 0xEF && buffer[i + 1] == 0x01) return i;
        }
        return -1;
    }

    private DeviceOutput Execute(byte[] payload)
    {
        if (payload.Length == 0) return Answer(TimeSpan.Zero, PacketReceiveError);
        ReadOnlySpan<byte> parameters = payload.AsSpan(1);
        switch (payload[0])
        {
            case GenImg:
                imageHoldsFinger = state.FingerPresent;
                return Answer(ImageCaptureTime, imageHoldsFinger ? Ok : NoFinger);
            case Img2Tz:
                if (parameters.Length != 1 || parameters[0] is not (1 or 2)) return Answer(TimeSpan.Zero, PacketReceiveError);
                return Answer(TimeSpan.FromMilliseconds(30), imageHoldsFinger ? Ok : ImageTooMessy);
            case ReadSysPara:
                return Answer(TimeSpan.Zero, Ok,
                [
                    0x00, 0x00, // status register
                    0x00, 0x00, // system identifier
                    (byte)(Capacity >> 8), unchecked((byte)Capacity),
                    (byte)(SecurityLevel >> 8), (byte)SecurityLevel,
                    (byte)(Address >> 24), (byte)(Address >> 16), (byte)(Address >> 8), (byte)Address,
                    (byte)(PacketSizeCode >> 8), (byte)PacketSizeCode,
                    (byte)(BaudMultiplier >> 8), (byte)BaudMultiplier,
                ]);
            case VfyPwd:
                if (parameters.Length != 4) return Answer(TimeSpan.Zero, PacketReceiveError);
                bool passwordIsZero = parameters[0] == 0 && parameters[1] == 0 && parameters[2] == 0 && parameters[3] == 0;
                return Answer(TimeSpan.Zero, passwordIsZero ? Ok : WrongPassword);
            case TemplateNum:
                // No templates are enrolled: the kiosk only checks that a live finger is presented.
                return Answer(TimeSpan.Zero, Ok, [0x00, 0x00]);
            default:
                return Answer(TimeSpan.Zero, PacketReceiveError);
        }
    }

    private DeviceOutput Answer(TimeSpan delay, byte confirmationCode, byte[]? data = null)
    {
        byte[] payload = new byte[1 + (data?.Length ?? 0)];
        payload[0] = confirmationCode;
        data?.CopyTo(payload, 1);
        return new DeviceOutput(delay, FingerprintPacket.Encode(Address, FingerprintPacketType.Ack, payload));
    }
}
