using System.Buffers;
using System.Text;
using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Kiosk.Host.Tests.Devices;

/// <summary>The host's MQTT link against a real (in-process) MQTT 5 broker and a scripted firmware client.</summary>
public sealed class MqttFirmwareLinkTests : IAsyncLifetime
{
    private readonly TempDir _secrets = new();
    private readonly int _port = PortalServer.FreePort();
    private MqttServer _broker = null!;
    private IMqttClient _firmware = null!;
    private readonly TestCard _card = TestCard.Sample();
    public ReplyCode PrintReply { get; set; } = ReplyCode.PaperOut;
    public int PrintJobs;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_secrets.Path, "mqtt-host.password"), "host-secret\n");
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(_port)
            .WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).Build();
        _broker = new MqttServerFactory().CreateMqttServer(options);
        _broker.ValidatingConnectionAsync += e =>
        {
            var ok = (e.UserName, e.Password) is ("host", "host-secret") or ("mcu-01", "mcu-secret");
            if (!ok) e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            return Task.CompletedTask;
        };
        await _broker.StartAsync();

        _firmware = new MqttClientFactory().CreateMqttClient();
        _firmware.ApplicationMessageReceivedAsync += async e =>
        {
            var m = e.ApplicationMessage;
            if (m.ResponseTopic is null) return;
            byte[] reply;
            if (m.Topic.EndsWith("/cmd/apdu"))
            {
                try { reply = [0, .. await _card.TransmitAsync(m.Payload.ToArray(), CancellationToken.None)]; }
                catch (CardUnavailableException) { reply = [(byte)ReplyCode.NoCard]; }
            }
            else
            {
                Interlocked.Increment(ref PrintJobs);
                reply = [(byte)PrintReply];
            }
            // A stray reply with foreign correlation data first: the host must ignore it.
            await _firmware.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(m.ResponseTopic).WithPayload(new byte[] { 0, 0x6F, 0x00 })
                .WithCorrelationData(new byte[16]).Build());
            await _firmware.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(m.ResponseTopic).WithPayload(reply)
                .WithCorrelationData(m.CorrelationData).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        };
        var connect = await _firmware.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId("mcu-01")
            .WithCredentials("mcu-01", "mcu-secret").Build());
        Assert.Equal(MqttClientConnectResultCode.Success, connect.ResultCode);
        await _firmware.SubscribeAsync("kiosk/v1/mcu-01/cmd/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await Publish("kiosk/v1/mcu-01/status", """{"online":true,"firmware":"0.1.0","reader":"ok","fingerprint":"ok","printer":"ok","uptimeSeconds":1}""", retain: true);
        await Publish("kiosk/v1/mcu-01/state/printer", """{"paper":"ok","cover":"closed","online":true}""", retain: true);
    }

    private Task Publish(string topic, string json, bool retain = false) =>
        _firmware.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(json))
            .WithRetainFlag(retain).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    public async Task DisposeAsync()
    {
        await _firmware.DisconnectAsync();
        _firmware.Dispose();
        await _broker.StopAsync();
        _broker.Dispose();
        _secrets.Dispose();
    }

    private MqttFirmwareLink Link(string secrets) => new(
        new HostOptions { Broker = $"127.0.0.1:{_port}", Secrets = secrets, Device = "mcu-01" }, NullLogger<MqttFirmwareLink>.Instance);

    private static async Task Until(Func<bool> condition, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(condition());
    }

    [Fact]
    public async Task Reads_the_card_and_prints_through_the_broker()
    {
        using var link = Link(_secrets.Path);
        var events = new List<DeviceEvent>();
        link.Changed += e => { lock (events) events.Add(e); };
        await link.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => link.Snapshot is { BrokerConnected: true, Status.Online: true, Printer: not null });
            Assert.Equal("0.1.0", link.Snapshot.Status!.Firmware);

            // Garbage from the broker is ignored.
            await Publish("kiosk/v1/mcu-01/event/card", "{not json");
            await Publish("kiosk/v1/mcu-01/event/card", """{"event":"placed","protocol":"iso14443-4a"}""");
            await Until(() => link.Snapshot.CardPresent);

            var identity = await new CardReader(new FirmwareCardChannel(link)).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
            Assert.Equal("Nguyễn Văn An", identity.FullName);

            var print = await link.RequestAsync("print", [0x1B, 0x40], MqttFirmwareLink.PrintTimeout, CancellationToken.None);
            Assert.Equal(ReplyCode.PaperOut, print.Code);
            Assert.Equal(1, PrintJobs);

            _card.Present = false;
            var e = await Assert.ThrowsAsync<CardUnavailableException>(() => new FirmwareCardChannel(link).TransmitAsync(Apdus.SelectFile(0x0101), CancellationToken.None));
            Assert.Contains("no card", e.Message);

            await Publish("kiosk/v1/mcu-01/status", """{"online":false}""", retain: true);
            await Until(() => link.Snapshot.Status is { Online: false });
            lock (events) Assert.Contains(events, ev => ev is DeviceEvent.CardPlaced);
        }
        finally
        {
            await link.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task No_answer_times_out_and_a_wrong_password_is_not_connected()
    {
        using var link = Link(_secrets.Path);
        await link.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => link.Snapshot.BrokerConnected);
            await _firmware.UnsubscribeAsync("kiosk/v1/mcu-01/cmd/#");
            var e = await Assert.ThrowsAsync<FirmwareUnavailableException>(() =>
                link.RequestAsync("apdu", Apdus.SelectFile(0x0101), TimeSpan.FromMilliseconds(500), CancellationToken.None));
            Assert.Contains("no reply", e.Message);
        }
        finally
        {
            await link.StopAsync(CancellationToken.None);
        }

        using var wrongDir = new TempDir();
        File.WriteAllText(Path.Combine(wrongDir.Path, "mqtt-host.password"), "wrong");
        using var refused = Link(wrongDir.Path);
        await refused.StartAsync(CancellationToken.None);
        await Task.Delay(1000);
        Assert.False(refused.Snapshot.BrokerConnected);
        await Assert.ThrowsAsync<FirmwareUnavailableException>(() => refused.RequestAsync("apdu", [0], TimeSpan.FromSeconds(1), CancellationToken.None));
        await refused.StopAsync(CancellationToken.None);
    }
}
