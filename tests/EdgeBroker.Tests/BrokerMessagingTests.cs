using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeBroker.Tests;

public class BrokerMessagingTests
{
    static MqttApplicationMessage Message(string topic, string payload, bool retain = false) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();

    [Fact]
    public async Task Device_cannot_publish_to_another_devices_topics()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient host = await harness.ConnectHostAsync();
        var hostInbox = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/#");
        IMqttClient device = await harness.ConnectDeviceAsync();

        MqttClientPublishResult foreignStatus = await device.PublishAsync(Message("kiosk/v1/mcu-02/status", "{\"online\":true}"));
        MqttClientPublishResult command = await device.PublishAsync(Message("kiosk/v1/mcu-01/cmd/apdu", "x"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreignStatus.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, command.ReasonCode);
        Assert.True(await hostInbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Contains("deny publish client=mcu-01 user=mcu-01 topic=kiosk/v1/mcu-02/status", harness.LogText);

        // Its own topic still goes through.
        MqttClientPublishResult own = await device.PublishAsync(Message("kiosk/v1/mcu-01/event/card", "{\"event\":\"removed\"}"));
        Assert.Equal(MqttClientPublishReasonCode.Success, own.ReasonCode);
        Assert.Equal("kiosk/v1/mcu-01/event/card", (await hostInbox.NextAsync()).Topic);
    }

    [Theory]
    [InlineData("kiosk/v1/#")]
    [InlineData("kiosk/v1/+/cmd/#")]
    [InlineData("#")]
    [InlineData("kiosk/v1/mcu-02/cmd/#")]
    [InlineData("$SYS/#")]
    public async Task Device_cannot_subscribe_beyond_its_own_commands(string filter)
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient device = await harness.ConnectDeviceAsync();

        MqttClientSubscribeResult result = await device.SubscribeAsync(filter);

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.Single().ResultCode);
    }

    [Fact]
    public async Task A_refused_subscription_delivers_nothing()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient device = await harness.ConnectDeviceAsync();
        var deviceInbox = new Inbox(device);
        await device.SubscribeAsync("kiosk/v1/+/cmd/#");
        IMqttClient host = await harness.ConnectHostAsync();

        await host.PublishAsync(Message("kiosk/v1/mcu-02/cmd/apdu", "for someone else"));

        Assert.True(await deviceInbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Host_cannot_forge_a_device_status()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient host = await harness.ConnectHostAsync();

        MqttClientPublishResult result = await host.PublishAsync(Message("kiosk/v1/mcu-01/status", "{\"online\":true}", retain: true));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
    }

    [Fact]
    public async Task Request_and_response_keep_response_topic_and_correlation_data()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient device = await harness.ConnectDeviceAsync();
        var deviceInbox = new Inbox(device);
        await device.SubscribeAsync("kiosk/v1/mcu-01/cmd/#", MqttQualityOfServiceLevel.AtLeastOnce);
        // The kiosk host connects as user "host" with a random client id, which names its reply topic.
        IMqttClient host = await harness.ConnectAsync("host-1a2b3c4d", "host");
        var hostInbox = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/mcu-01/reply/host-1a2b3c4d", MqttQualityOfServiceLevel.AtLeastOnce);

        byte[] correlation = Enumerable.Range(1, 16).Select(value => (byte)value).ToArray();
        byte[] selectApdu = [0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
        await host.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("kiosk/v1/mcu-01/cmd/apdu")
            .WithPayload(selectApdu)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithResponseTopic("kiosk/v1/mcu-01/reply/host-1a2b3c4d")
            .WithCorrelationData(correlation)
            .Build());

        MqttApplicationMessage request = await deviceInbox.NextAsync();
        Assert.Equal(selectApdu, request.Payload.ToArray());
        Assert.Equal("kiosk/v1/mcu-01/reply/host-1a2b3c4d", request.ResponseTopic);
        Assert.Equal(correlation, request.CorrelationData);

        byte[] reply = [0x00, 0x90, 0x00]; // Ok + SW 9000
        await device.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(request.ResponseTopic)
            .WithPayload(reply)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithCorrelationData(request.CorrelationData)
            .Build());

        MqttApplicationMessage response = await hostInbox.NextAsync();
        Assert.Equal(reply, response.Payload.ToArray());
        Assert.Equal(correlation, response.CorrelationData);
    }

    [Fact]
    public async Task Retained_status_survives_a_broker_restart()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient device = await harness.ConnectDeviceAsync();
        string status = "{\"online\":true,\"firmware\":\"0.1.0\",\"reader\":\"ok\",\"fingerprint\":\"ok\",\"printer\":\"ok\",\"uptimeSeconds\":42}";
        await device.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("kiosk/v1/mcu-01/status")
            .WithPayload(Encoding.UTF8.GetBytes(status))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .WithContentType("application/json")
            .WithUserProperty("schema", "DeviceStatus"u8.ToArray())
            .Build());
        await device.DisconnectAsync();

        await harness.RestartAsync();

        Assert.True(File.Exists(Path.Combine(harness.DataDirectory, "retained.json")));
        IMqttClient host = await harness.ConnectHostAsync();
        var inbox = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/+/status", MqttQualityOfServiceLevel.AtLeastOnce);
        MqttApplicationMessage restored = await inbox.NextAsync();
        Assert.Equal("kiosk/v1/mcu-01/status", restored.Topic);
        Assert.Equal(status, Encoding.UTF8.GetString(restored.Payload.ToArray()));
        Assert.True(restored.Retain);
        Assert.Equal("application/json", restored.ContentType);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, restored.QualityOfServiceLevel);
        Assert.Contains(restored.UserProperties, property => property.Name == "schema");
    }

    [Fact]
    public async Task Clearing_a_retained_status_is_persisted_too()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient device = await harness.ConnectDeviceAsync();
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/printer", "{\"paper\":\"ok\"}", retain: true));
        await device.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("kiosk/v1/mcu-01/state/printer").WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()); // empty payload clears
        await device.DisconnectAsync();

        await harness.RestartAsync();

        IMqttClient host = await harness.ConnectHostAsync();
        var inbox = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/#");
        Assert.True(await inbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Will_is_published_retained_when_a_device_drops_without_disconnect()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient host = await harness.ConnectHostAsync();
        var inbox = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/mcu-01/status", MqttQualityOfServiceLevel.AtLeastOnce);

        using (var socket = await RawMqtt.OpenAsync(harness.Port))
        {
            await socket.SendAsync(RawMqtt.Connect("mcu-01", "mcu-01", harness.Password("mcu-01"),
                new RawMqtt.Will("kiosk/v1/mcu-01/status", "{\"online\":false}"u8.ToArray(), Retain: true)));
            Assert.Equal(0, await RawMqtt.ReadConnAckAsync(socket));
        } // closed without DISCONNECT: the power went, the Wi-Fi dropped

        MqttApplicationMessage will = await inbox.NextAsync();
        Assert.Equal("{\"online\":false}", Encoding.UTF8.GetString(will.Payload.ToArray()));

        // Retained: a host that connects later still learns the device is gone.
        IMqttClient lateHost = await harness.ConnectAsync("host-late", "host");
        var lateInbox = new Inbox(lateHost);
        await lateHost.SubscribeAsync("kiosk/v1/+/status");
        MqttApplicationMessage retained = await lateInbox.NextAsync();
        Assert.True(retained.Retain);
        Assert.Equal("{\"online\":false}", Encoding.UTF8.GetString(retained.Payload.ToArray()));
    }

    [Fact]
    public async Task Oversized_publish_closes_that_connection_and_the_broker_keeps_serving()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync(options => options with { MaxPayloadBytes = 64 * 1024 });

        using (var socket = await RawMqtt.OpenAsync(harness.Port))
        {
            await socket.SendAsync(RawMqtt.Connect("mcu-01", "mcu-01", harness.Password("mcu-01")));
            Assert.Equal(0, await RawMqtt.ReadConnAckAsync(socket));
            await socket.SendAsync(RawMqtt.Publish("kiosk/v1/mcu-01/event/card", new byte[200 * 1024]));
            Assert.True(await RawMqtt.IsClosedByPeerAsync(socket, TimeSpan.FromSeconds(10)));
        }

        Assert.Contains("reason=payload of 204800 bytes over 65536", harness.LogText);
        await AssertBrokerStillRoutesAsync(harness);
    }

    [Fact]
    public async Task Garbage_and_truncated_packets_do_not_take_the_broker_down()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        byte[][] garbage =
        [
            "GET / HTTP/1.1\r\nHost: kiosk\r\n\r\n"u8.ToArray(),
            [0x10, 0xFF, 0xFF, 0xFF, 0x7F], // CONNECT announcing 256 MB, then nothing
            [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // remaining length with five bytes: malformed
            [0x30, 0x05, 0x00, 0x10, 0x41], // PUBLISH before CONNECT, topic length beyond the packet
            Enumerable.Range(0, 4096).Select(value => (byte)(value * 37)).ToArray(),
        ];
        foreach (byte[] bytes in garbage)
        {
            using var socket = await RawMqtt.OpenAsync(harness.Port);
            await socket.SendAsync(bytes);
        }

        // A connected device sending a malformed packet after CONNECT.
        using (var socket = await RawMqtt.OpenAsync(harness.Port))
        {
            await socket.SendAsync(RawMqtt.Connect("mcu-01", "mcu-01", harness.Password("mcu-01")));
            Assert.Equal(0, await RawMqtt.ReadConnAckAsync(socket));
            await socket.SendAsync(new byte[] { 0x32, 0x03, 0x00, 0x40, 0x00 });
            Assert.True(await RawMqtt.IsClosedByPeerAsync(socket, TimeSpan.FromSeconds(10)));
        }

        await AssertBrokerStillRoutesAsync(harness);
    }

    static async Task AssertBrokerStillRoutesAsync(BrokerHarness harness)
    {
        IMqttClient host = await harness.ConnectHostAsync();
        var inbox = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/mcu-01/event/#");
        IMqttClient device = await harness.ConnectDeviceAsync();
        await device.PublishAsync(Message("kiosk/v1/mcu-01/event/finger", "{\"event\":\"placed\"}"));
        Assert.Equal("kiosk/v1/mcu-01/event/finger", (await inbox.NextAsync()).Topic);
    }
}
