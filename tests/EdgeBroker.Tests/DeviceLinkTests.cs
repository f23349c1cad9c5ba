using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kiosk.DeviceContract;
using Kiosk.Firmware.VirtualMcu;
using MQTTnet;

namespace EdgeBroker.Tests;

/// <summary>
/// The device's side of the link, as the virtual MCU runs it (and as the ESP32 does with M2Mqtt): the settings file the
/// broker wrote, TLS to the pinned CA, a will, a request on cmd/… answered on reply/…, on MQTT 3.1.1 and 5.0 alike.
/// </summary>
public class DeviceLinkTests
{
    static DeviceSettings DeviceFile(BrokerHarness harness)
    {
        DeviceSettings? settings = DeviceSettings.Parse(File.ReadAllText(Path.Combine(harness.SecretsDirectory, "device-mcu-01.conf")), out string? error);
        Assert.True(settings is not null, error);
        return settings!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_request_from_the_host_is_answered_by_the_device_over_tls(bool mqtt5)
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        DeviceSettings settings = DeviceFile(harness);
        settings.UseMqtt5 = mqtt5;
        var logs = new List<string>();
        using var device = new MqttNetLink(settings, line => { lock (logs) logs.Add(line); });
        var received = new System.Collections.Concurrent.ConcurrentQueue<(string Topic, byte[] Payload)>();
        device.MessageReceived += (topic, payload) => received.Enqueue((topic, payload));
        Assert.True(device.Connect(Topics.Status("mcu-01"), Payloads.ToBytes(DeviceStatusMessage.OfflineJson()), true), string.Join("\n", logs));
        Assert.True(device.Subscribe(Topics.CommandsFilter("mcu-01"), Topics.ApduCommandSpec.Qos));

        IMqttClient host = await harness.ConnectHostAsync();
        var hostInbox = new Inbox(host);
        await host.SubscribeAsync(Topics.RepliesToFilter("mcu-01", "host-1"));
        await host.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.ApduCommand("mcu-01", "host-1", "5a")).WithPayload(new byte[] { 0x00, 0xA4, 0x04, 0x0C }).Build());

        var deadline = DateTime.UtcNow.AddSeconds(10);
        (string Topic, byte[] Payload) request;
        while (!received.TryDequeue(out request)) { Assert.True(DateTime.UtcNow < deadline, "the device did not receive the request"); await Task.Delay(20); }
        ParsedTopic parsed = Topics.Parse(request.Topic)!;
        Assert.Equal(TopicKind.ApduCommand, parsed.Kind);
        Assert.True(device.Publish(Topics.Reply("mcu-01", parsed.Requester, parsed.RequestId), Reply.Build(ReplyResult.Ok, [0x90, 0x00]), Topics.ReplySpec.Qos, false));

        MqttApplicationMessage reply = await hostInbox.NextAsync();
        Assert.Equal("kiosk/v1/mcu-01/reply/host-1/5a", reply.Topic);
        Assert.Equal(new byte[] { 0x00, 0x90, 0x00 }, reply.Payload.ToArray());
        device.Disconnect();
        Assert.False(device.IsConnected);
    }

    [Fact]
    public async Task A_broker_whose_certificate_is_not_from_the_pinned_ca_is_refused_and_each_attempt_starts_a_new_client()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        DeviceSettings settings = DeviceFile(harness);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=another kiosk's CA", otherKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 otherCa = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        settings.BrokerCa = otherCa.RawData;
        var logs = new List<string>();
        using var device = new MqttNetLink(settings, line => { lock (logs) logs.Add(line); });
        for (int attempt = 0; attempt < 3; attempt++) Assert.False(device.Connect(Topics.Status("mcu-01"), [], true));
        Assert.False(device.IsConnected);
        lock (logs) Assert.Equal(3, logs.Count(l => l.Contains("connection to 127.0.0.1") && l.Contains("failed")));
        Assert.DoesNotContain("connected client=mcu-01", harness.LogText);
    }
}
