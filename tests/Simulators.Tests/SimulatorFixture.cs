using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Kiosk.Firmware.Protocols.Fingerprint;
using Kiosk.Firmware.Protocols.Pn532;
using Kiosk.Simulators.Peripherals;

namespace Simulators.Tests;

/// <summary>A peripheral simulator started in-process on free ports (port 0) with its own data folder; stopped and deleted at the end.</summary>
internal sealed class RunningSimulator : IAsyncDisposable
{
    private RunningSimulator(PeripheralSimulator simulator, string dataFolder, bool ownsFolder)
    {
        Simulator = simulator;
        DataFolder = dataFolder;
        OwnsFolder = ownsFolder;
        Http = new HttpClient { BaseAddress = simulator.ControlUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    public PeripheralSimulator Simulator { get; }
    public string DataFolder { get; }
    private bool OwnsFolder { get; }
    public HttpClient Http { get; }

    public static async Task<RunningSimulator> StartAsync(string? dataFolder = null)
    {
        bool owns = dataFolder is null;
        dataFolder ??= Path.Combine(Path.GetTempPath(), "kiosk-peripherals-test-" + Guid.NewGuid().ToString("N"));
        var options = new SimulatorOptions
        {
            Pn532Port = 0,
            FingerprintPort = 0,
            PrinterPort = 0,
            ControlUrls = "http://127.0.0.1:0",
            DataFolder = dataFolder,
        };
        return new RunningSimulator(await PeripheralSimulator.StartAsync(options), dataFolder, owns);
    }

    public async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return client;
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public async Task<HttpResponseMessage> PostJsonAsync(string path, object body) => await Http.PostAsJsonAsync(path, body);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Simulator.DisposeAsync();
        if (OwnsFolder && Directory.Exists(DataFolder)) Directory.Delete(DataFolder, recursive: true);
    }

    public void DeleteFolder()
    {
        if (Directory.Exists(DataFolder)) Directory.Delete(DataFolder, recursive: true);
    }
}

/// <summary>The host side of the PN532 link, as the firmware drives it, over the simulator's TCP port.</summary>
internal sealed class Pn532TestClient(TcpClient client) : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    private readonly NetworkStream stream = client.GetStream();
    private readonly List<byte> received = new();

    public async Task WriteAsync(byte[] bytes) => await stream.WriteAsync(bytes);

    public static byte[] CommandFrame(params byte[] data) => Pn532Frame.Encode(Pn532Frame.HostToPn532, data);

    /// <summary>Sends a command (after wake-up bytes), expects the ACK, returns the response's data (code + parameters).</summary>
    public async Task<byte[]> CommandAsync(params byte[] data)
    {
        await WriteAsync([0x55, 0x55, 0x00, 0x00, 0x00, .. CommandFrame(data)]);
        Pn532FrameDecodeResult ack = await ReadFrameAsync();
        Assert.Equal(Pn532FrameKind.Ack, ack.Kind);
        return await ReadResponseAsync();
    }

    public async Task<byte[]> ReadResponseAsync()
    {
        Pn532FrameDecodeResult response = await ReadFrameAsync();
        Assert.Equal(Pn532FrameKind.Information, response.Kind);
        Assert.Equal(Pn532Frame.Pn532ToHost, response.Tfi);
        return response.Data;
    }

    /// <summary>An APDU through InDataExchange with target 1; returns status byte + card answer.</summary>
    public async Task<byte[]> ExchangeAsync(byte[] apdu)
    {
        byte[] response = await CommandAsync([0x40, 0x01, .. apdu]);
        Assert.Equal(0x41, response[0]);
        return response[1..];
    }

    public async Task<Pn532FrameDecodeResult> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? ReadTimeout);
        byte[] buffer = new byte[1024];
        while (true)
        {
            if (received.Count > 0)
            {
                byte[] data = received.ToArray();
                Pn532FrameDecodeResult frame = Pn532Frame.TryDecode(data, 0, data.Length);
                received.RemoveRange(0, frame.Consumed);
                if (frame.Kind != Pn532FrameKind.NeedMore) return frame;
            }
            int read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0) throw new IOException("the simulator closed the connection");
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    public void Dispose() => client.Dispose();
}

/// <summary>The host side of the fingerprint module link.</summary>
internal sealed class FingerprintTestClient(TcpClient client) : IDisposable
{
    private readonly NetworkStream stream = client.GetStream();
    private readonly List<byte> received = new();

    public async Task WriteAsync(byte[] bytes) => await stream.WriteAsync(bytes);

    /// <summary>Sends a command packet; returns the ack payload (confirmation code, then data).</summary>
    public async Task<byte[]> CommandAsync(params byte[] payload)
    {
        await WriteAsync(FingerprintPacket.Encode(FingerprintPacket.DefaultAddress, FingerprintPacketType.Command, payload));
        return await ReadAckAsync();
    }

    public async Task<byte[]> ReadAckAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        byte[] buffer = new byte[512];
        while (true)
        {
            if (received.Count > 0)
            {
                byte[] data = received.ToArray();
                FingerprintDecodeResult packet = FingerprintPacket.TryDecode(data, 0, data.Length);
                received.RemoveRange(0, packet.Consumed);
                if (packet.Status == FingerprintDecodeStatus.Packet)
                {
                    Assert.Equal(FingerprintPacketType.Ack, packet.Type);
                    Assert.Equal(FingerprintPacket.DefaultAddress, packet.Address);
                    return packet.Payload;
                }
                Assert.NotEqual(FingerprintDecodeStatus.Garbled, packet.Status);
            }
            int read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0) throw new IOException("the simulator closed the connection");
            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    public void Dispose() => client.Dispose();
}
