using System.Buffers;
using System.Text;
using Kiosk.DeviceContract;
using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Tests.Support;
using Kiosk.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Kiosk.Host.Tests.Devices;

/// <summary>
/// The host's MQTT link against a real (in-process) broker and a scripted firmware client that speaks MQTT 3.1.1, as the
/// ESP32's client does: requests and replies carry the requester and request id in the topic, no MQTT 5 property.
/// </summary>
public sealed class MqttFirmwareLinkTests : IAsyncLifetime
{
    private readonly TempDir _secrets = new();
    private readonly int _port = PortalServer.FreePort();
    private MqttServer _broker = null!;
    private IMqttClient _firmware = null!;
    private readonly TestCard _card = TestCard.Sample();
    public ReplyResult PrintReply { get; set; } = ReplyResult.PaperOut;
    public int PrintJobs;
    /// <summary>Every request the host published, as the firmware saw it: topic, QoS, retain flag.</summary>
    private readonly List<(string Topic, int Qos, bool Retain)> _requests = [];

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
            lock (_requests) _requests.Add((m.Topic, (int)m.QualityOfServiceLevel, m.Retain));
            ParsedTopic? request = Topics.Parse(m.Topic);
            if (request is null) return;
            byte[] reply;
            if (request.Kind == TopicKind.ApduCommand)
            {
                try { reply = [0, .. await _card.TransmitAsync(m.Payload.ToArray(), CancellationToken.None)]; }
                catch (CardUnavailableException) { reply = [(byte)ReplyResult.NoCard]; }
            }
            else
            {
                Interlocked.Increment(ref PrintJobs);
                reply = [(byte)PrintReply];
            }
            // A stray reply to an id nobody asked with first, the real one, then the real one again: the host must take
            // the real one once and drop the others.
            await Publish(Topics.Reply("mcu-01", request.Requester, "0123456789abcdef"), [0, 0x6F, 0x00]);
            await Publish(Topics.Reply("mcu-01", request.Requester, request.RequestId), reply);
            await Publish(Topics.Reply("mcu-01", request.Requester, request.RequestId), [0, 0x6F, 0x00]);
        };
        var connect = await _firmware.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId("mcu-01")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithCredentials("mcu-01", "mcu-secret").Build());
        Assert.Equal(MqttClientConnectResultCode.Success, connect.ResultCode);
        await _firmware.SubscribeAsync(Topics.CommandsFilter("mcu-01"), MqttQualityOfServiceLevel.AtLeastOnce);
        await Publish("kiosk/v1/mcu-01/status", """{"online":true,"firmware":"0.1.0","reader":"ok","fingerprint":"ok","printer":"ok","uptimeSeconds":1}""", retain: true);
        await Publish("kiosk/v1/mcu-01/state/printer", """{"paper":"ok","cover":"closed","online":true}""", retain: true);
    }

    private Task Publish(string topic, string json, bool retain = false) => Publish(topic, Encoding.UTF8.GetBytes(json), retain);

    private Task Publish(string topic, byte[] payload, bool retain = false) =>
        _firmware.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
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

            var print = await link.RequestAsync(TopicKind.PrintCommand, [0x1B, 0x40], MqttFirmwareLink.PrintTimeout, CancellationToken.None);
            Assert.Equal(ReplyResult.PaperOut, print.Code);
            Assert.Equal(1, PrintJobs);

            _card.Present = false;
            var e = await Assert.ThrowsAsync<CardUnavailableException>(() => new FirmwareCardChannel(link).TransmitAsync(Apdus.SelectFile(0x0101), CancellationToken.None));
            Assert.Contains("no card", e.Message);

            // Every request went out as docs/mqtt.md's host → firmware rows say, each with its own id.
            var rows = MqttContractDocument.Topics().Where(r => !r.FromFirmware).ToList();
            lock (_requests)
            {
                Assert.True(_requests.Count > 10);
                Assert.Equal(_requests.Count, _requests.Select(r => r.Topic).Distinct().Count());
                foreach (var (topic, qos, retain) in _requests)
                {
                    var parsed = Topics.Parse(topic)!;
                    var row = Assert.Single(rows, r => r.Fill("mcu-01", link.ClientId, parsed.RequestId) == topic);
                    Assert.Equal((row.Qos, row.Retained), (qos, retain));
                }
            }

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
            await _firmware.UnsubscribeAsync(Topics.CommandsFilter("mcu-01"));
            var e = await Assert.ThrowsAsync<FirmwareUnavailableException>(() =>
                link.RequestAsync(TopicKind.ApduCommand, Apdus.SelectFile(0x0101), TimeSpan.FromMilliseconds(500), CancellationToken.None));
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
        await Assert.ThrowsAsync<FirmwareUnavailableException>(() => refused.RequestAsync(TopicKind.ApduCommand, [0], TimeSpan.FromSeconds(1), CancellationToken.None));
        await refused.StopAsync(CancellationToken.None);
    }
}
