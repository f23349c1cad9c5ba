using System.Buffers;
using System.Threading.Channels;
using Kiosk.DeviceContract;
using Kiosk.Host.Devices;
using Kiosk.Host.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Kiosk.Host.Tests.Devices;

/// <summary>
/// A file's blocks through the MQTT relay with several commands in flight: a real in-process broker and a scripted
/// firmware that, like the real one, queues what arrives and serves one request at a time.
/// </summary>
public sealed class FirmwareCardChannelPipelineTests : IAsyncLifetime
{
    private readonly TempDir _secrets = new();
    private readonly int _port = PortalServer.FreePort();
    private MqttServer _broker = null!;
    private IMqttClient _firmware = null!;
    private readonly Channel<(string Topic, byte[] Payload)> _queue = Channel.CreateUnbounded<(string, byte[])>();
    private readonly CancellationTokenSource _stop = new();
    private int _waiting;
    private int _mostWaiting;
    private readonly List<byte> _servedOrder = [];

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_secrets.Path, "mqtt-host.password"), "host-secret\n");
        _broker = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(_port)
            .WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).Build());
        await _broker.StartAsync();
        _firmware = new MqttClientFactory().CreateMqttClient();
        _firmware.ApplicationMessageReceivedAsync += e =>
        {
            int now = Interlocked.Increment(ref _waiting);
            lock (_servedOrder) _mostWaiting = Math.Max(_mostWaiting, now);
            _queue.Writer.TryWrite((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        await _firmware.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId("mcu-01")
            .WithProtocolVersion(MqttProtocolVersion.V311).Build());
        await _firmware.SubscribeAsync(Topics.CommandsFilter("mcu-01"), MqttQualityOfServiceLevel.AtMostOnce);
        _ = Task.Run(ServeAsync);
    }

    /// <summary>One request at a time, 20 ms each (a block on the air): the answer is the command's last byte, then 90 00.</summary>
    private async Task ServeAsync()
    {
        await foreach (var (topic, payload) in _queue.Reader.ReadAllAsync(_stop.Token))
        {
            await Task.Delay(20);
            ParsedTopic request = Topics.Parse(topic)!;
            lock (_servedOrder) _servedOrder.Add(payload[^1]);
            Interlocked.Decrement(ref _waiting);
            await _firmware.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Reply("mcu-01", request.Requester, request.RequestId))
                .WithPayload(Reply.Build(ReplyResult.Ok, [payload[^1], 0x90, 0x00])).Build());
        }
    }

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        await _firmware.DisconnectAsync();
        _firmware.Dispose();
        await _broker.StopAsync();
        _broker.Dispose();
        _secrets.Dispose();
    }

    [Fact]
    public async Task Blocks_go_out_in_order_with_up_to_the_pipeline_depth_waiting_at_the_firmware()
    {
        using var link = new MqttFirmwareLink(new HostOptions { Broker = $"127.0.0.1:{_port}", Secrets = _secrets.Path, Device = "mcu-01" },
            NullLogger<MqttFirmwareLink>.Instance);
        await link.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!link.Snapshot.BrokerConnected && DateTime.UtcNow < deadline) await Task.Delay(50);
            var channel = new FirmwareCardChannel(link);
            var commands = Enumerable.Range(1, 12).Select(i => new byte[] { 0x00, 0xB0, 0x00, 0x00, (byte)i }).ToList();

            var responses = await ((Kiosk.Host.Card.ICardChannel)channel).TransmitAllAsync(commands, CancellationToken.None);

            Assert.Equal(commands.Select(c => new byte[] { c[^1], 0x90, 0x00 }), responses);
            lock (_servedOrder)
            {
                Assert.Equal(Enumerable.Range(1, 12).Select(i => (byte)i), _servedOrder);
                // Commands were waiting at the firmware while it served one: the relay's round trip is hidden.
                Assert.Equal(FirmwareCardChannel.PipelineDepth, _mostWaiting);
            }
        }
        finally
        {
            await link.StopAsync(CancellationToken.None);
        }
    }
}
