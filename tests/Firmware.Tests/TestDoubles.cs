using Kiosk.DeviceContract;
using Kiosk.Firmware.Platform;
using Kiosk.Firmware.Protocols.Fingerprint;
using Kiosk.Firmware.Protocols.Pn532;

namespace Firmware.Tests;

/// <summary>Time that moves only when the code under test sleeps or waits for a read.</summary>
public sealed class FakeClock : IClock
{
    public long NowMilliseconds { get; set; } = 1_000_000;
    public void Sleep(int milliseconds) => NowMilliseconds += Math.Max(0, milliseconds);
    public void Advance(int milliseconds) => NowMilliseconds += milliseconds;
}

public sealed class ListLog : ILog
{
    public List<string> Lines { get; } = new();
    public void Info(string message) => Lines.Add(message);
}

/// <summary>
/// The device end of a serial line, played by a script: every complete write is handed to a handler that returns the
/// bytes the device sends back. A read with nothing to give lets the clock run to the read's timeout, like a real UART.
/// </summary>
public abstract class ScriptedSerialLink : ISerialLink
{
    private readonly List<byte> _fromHost = new();
    private readonly Queue<byte> _toHost = new();
    protected readonly FakeClock Clock;

    protected ScriptedSerialLink(FakeClock clock) { Clock = clock; }

    /// <summary>Every byte the host wrote, in order.</summary>
    public List<byte> Written { get; } = new();
    public int Reads { get; private set; }
    /// <summary>When true the device neither reads nor answers (unplugged).</summary>
    public bool Unplugged { get; set; }

    public void Write(byte[] buffer, int offset, int count)
    {
        if (Unplugged) return;
        for (int i = 0; i < count; i++)
        {
            Written.Add(buffer[offset + i]);
            _fromHost.Add(buffer[offset + i]);
        }
        byte[] pending = _fromHost.ToArray();
        int consumed = OnHostBytes(pending);
        _fromHost.RemoveRange(0, consumed);
    }

    public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        Reads++;
        if (_toHost.Count == 0) OnIdleRead();
        if (_toHost.Count == 0 || Unplugged)
        {
            Clock.Advance(Math.Max(1, timeoutMilliseconds));
            return 0;
        }
        Clock.Advance(1);
        int n = 0;
        while (n < count && _toHost.Count > 0) buffer[offset + n++] = _toHost.Dequeue();
        return n;
    }

    public void DiscardInput() => _toHost.Clear();

    public void Send(byte[] bytes)
    {
        foreach (byte b in bytes) _toHost.Enqueue(b);
    }

    /// <summary>Handles what the host wrote so far; returns how many bytes were used.</summary>
    protected abstract int OnHostBytes(byte[] pending);

    /// <summary>Called when the host reads and nothing is queued (lets a device stream forever).</summary>
    protected virtual void OnIdleRead() { }
}

/// <summary>A PN532 whose answers come from a handler: command (code + parameters) in, raw bytes out (null: stay silent).</summary>
public sealed class ScriptedPn532 : ScriptedSerialLink
{
    private byte[]? _lastAnswer;

    public ScriptedPn532(FakeClock clock, Func<byte[], byte[]?> handler) : base(clock) { Handler = handler; }

    public Func<byte[], byte[]?> Handler { get; set; }
    public List<byte[]> Commands { get; } = new();
    public int NacksReceived { get; private set; }
    public int AcksReceived { get; private set; }
    /// <summary>What to send when the host NACKs; by default the last answer again without its ACK.</summary>
    public byte[]? NackAnswer { get; set; }

    /// <summary>ACK then the information frame D5 (code+1) parameters.</summary>
    public static byte[] Answer(byte commandCode, params byte[] parameters)
    {
        return Pn532Frame.Ack().Concat(Frame(commandCode, parameters)).ToArray();
    }

    public static byte[] Frame(byte commandCode, params byte[] parameters)
    {
        return Pn532Frame.Encode(Pn532Frame.Pn532ToHost, new[] { (byte)(commandCode + 1) }.Concat(parameters).ToArray());
    }

    protected override int OnHostBytes(byte[] pending)
    {
        int used = 0;
        while (used < pending.Length)
        {
            Pn532FrameDecodeResult frame = Pn532Frame.TryDecode(pending, used, pending.Length - used);
            if (frame.Kind == Pn532FrameKind.NeedMore)
            {
                used += frame.Consumed;
                break;
            }
            used += Math.Max(1, frame.Consumed);
            switch (frame.Kind)
            {
                case Pn532FrameKind.Information:
                    Commands.Add(frame.Data);
                    byte[]? answer = Handler(frame.Data);
                    if (answer != null)
                    {
                        _lastAnswer = answer;
                        Send(answer);
                    }
                    break;
                case Pn532FrameKind.Nack:
                    NacksReceived++;
                    // Repeat the last answer without its ACK, as the PN532 does.
                    if (NackAnswer != null) Send(NackAnswer);
                    else if (_lastAnswer != null) Send(_lastAnswer.Skip(6).ToArray());
                    break;
                case Pn532FrameKind.Ack:
                    AcksReceived++;
                    break;
            }
        }
        return used;
    }
}

/// <summary>A fingerprint module whose acks come from a handler: command payload (instruction + parameters) in, raw bytes out.</summary>
public sealed class ScriptedFingerprint : ScriptedSerialLink
{
    public ScriptedFingerprint(FakeClock clock, Func<byte[], byte[]?> handler) : base(clock) { Handler = handler; }

    public Func<byte[], byte[]?> Handler { get; set; }
    public List<byte[]> Commands { get; } = new();

    public static byte[] Ack(byte confirmation, params byte[] data)
    {
        return FingerprintPacket.Encode(FingerprintPacket.DefaultAddress, FingerprintPacketType.Ack, new[] { confirmation }.Concat(data).ToArray());
    }

    protected override int OnHostBytes(byte[] pending)
    {
        int used = 0;
        while (used < pending.Length)
        {
            FingerprintDecodeResult packet = FingerprintPacket.TryDecode(pending, used, pending.Length - used);
            if (packet.Status == FingerprintDecodeStatus.NeedMore)
            {
                used += packet.Consumed;
                break;
            }
            used += Math.Max(1, packet.Consumed);
            if (packet.Status != FingerprintDecodeStatus.Packet) continue;
            Commands.Add(packet.Payload);
            byte[]? answer = Handler(packet.Payload);
            if (answer != null) Send(answer);
        }
        return used;
    }
}

/// <summary>An ESC/POS printer: answers DLE EOT 2 and DLE EOT 4 from its state and keeps every other byte as the job.</summary>
public sealed class ScriptedPrinter : ScriptedSerialLink
{
    public ScriptedPrinter(FakeClock clock) : base(clock) { }

    public bool CoverOpen { get; set; }
    public string Paper { get; set; } = "ok";
    public List<byte> Printed { get; } = new();
    public int Writes { get; private set; }

    protected override int OnHostBytes(byte[] pending)
    {
        Writes++;
        int i = 0;
        while (i < pending.Length)
        {
            if (pending[i] == 0x10)
            {
                if (pending.Length - i < 3) break;
                if (pending[i + 1] == 0x04 && (pending[i + 2] == 2 || pending[i + 2] == 4))
                {
                    byte status = pending[i + 2] == 2
                        ? (byte)(0x12 | (CoverOpen ? 0x04 : 0))
                        : (byte)(0x12 | (Paper == "out" ? 0x60 : Paper == "near-end" ? 0x0C : 0));
                    Send(new[] { status });
                    i += 3;
                    continue;
                }
            }
            Printed.Add(pending[i]);
            i++;
        }
        return i;
    }
}

public sealed record PublishedMessage(string Topic, byte[] Payload, int Qos, bool Retain)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}

/// <summary>An MQTT link that records what the firmware publishes and lets a test deliver messages.</summary>
public sealed class FakeMqttLink : IMqttLink
{
    public bool IsConnected { get; set; }
    public bool BrokerReachable { get; set; } = true;
    public event MqttMessageHandler? MessageReceived;
    public List<PublishedMessage> Published { get; } = new();
    public List<string> Subscriptions { get; } = new();
    public int ConnectAttempts { get; private set; }
    public string? WillTopic { get; private set; }
    public byte[]? WillPayload { get; private set; }
    public bool WillRetain { get; private set; }

    public bool Connect(string willTopic, byte[] willPayload, bool willRetain)
    {
        ConnectAttempts++;
        if (!BrokerReachable) return false;
        WillTopic = willTopic;
        WillPayload = willPayload;
        WillRetain = willRetain;
        IsConnected = true;
        return true;
    }

    public bool Publish(string topic, byte[] payload, int qos, bool retain)
    {
        if (!IsConnected) return false;
        Published.Add(new PublishedMessage(topic, payload, qos, retain));
        return true;
    }

    public bool Subscribe(string topicFilter, int qos)
    {
        Subscriptions.Add(topicFilter);
        return true;
    }

    public void Disconnect() => IsConnected = false;

    public void Deliver(string topic, byte[] payload) => MessageReceived?.Invoke(topic, payload);
}

/// <summary>The board: an in-memory store, fixed memory and signal figures, reboots counted instead of done.</summary>
public sealed class FakeDevicePlatform : IDevicePlatform
{
    public Dictionary<string, string> Stored { get; } = new();
    public int Reboots { get; private set; }
    public StartReason PlatformStartReason { get; set; } = StartReason.PowerOn;
    public long FreeMemoryBytes() => 123_456;
    public int WifiRssiDbm() => -61;
    public string? ReadText(string name) => Stored.TryGetValue(name, out var text) ? text : null;
    public bool WriteText(string name, string text) { Stored[name] = text; return true; }
    public void Delete(string name) => Stored.Remove(name);
    public void Reboot() => Reboots++;
}
