using System.Text;
using System.Text.Json;
using Kiosk.EdgeBroker.Bridge;
using Kiosk.EdgeBroker.Hosting;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeBroker.Tests;

/// <summary>
/// The bridge to the central operations cluster against a real Mosquitto (its own process, config and port per test)
/// with real MQTTnet clients on both sides.
/// </summary>
public class BridgeTests
{
    const string KioskId = "k1";

    static Func<EdgeBrokerOptions, EdgeBrokerOptions> WithBridge(MosquittoHarness central, Func<BridgeOptions, BridgeOptions>? tweak = null) =>
        options =>
        {
            var bridge = new BridgeOptions
            {
                Url = new Uri($"mqtt://127.0.0.1:{central.Port}"),
                KioskId = KioskId,
                UserName = MosquittoHarness.BridgeUser,
                PasswordFile = central.BridgePasswordFile,
                ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
                LivenessInterval = TimeSpan.FromMilliseconds(500),
                HealthInterval = TimeSpan.FromHours(1),
                OperationTimeout = TimeSpan.FromSeconds(3),
            };
            return options with { Bridge = tweak?.Invoke(bridge) ?? bridge };
        };

    static MqttApplicationMessage Message(string topic, string payload, bool retain = false) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();

    static string Text(MqttApplicationMessage message) => Encoding.UTF8.GetString(message.Payload);

    static async Task WaitUntilAsync(Func<bool> condition, string what, double seconds = 10)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Reads messages until one on <paramref name="topic"/> arrives; returns it and everything read before.</summary>
    static async Task<(MqttApplicationMessage Found, List<MqttApplicationMessage> Before)> ReadUntilAsync(Inbox inbox, string topic, Func<MqttApplicationMessage, bool>? also = null)
    {
        var before = new List<MqttApplicationMessage>();
        while (true)
        {
            MqttApplicationMessage message = await inbox.NextAsync(TimeSpan.FromSeconds(10));
            if (message.Topic == topic && (also?.Invoke(message) ?? true))
            {
                return (message, before);
            }

            before.Add(message);
        }
    }

    /// <summary>A persistent operations session subscribed to the kiosk's device topics, so messages forwarded while
    /// no operations client is connected wait in Mosquitto (and survive its clean restart).</summary>
    static async Task PrepareOfflineObserverAsync(MosquittoHarness central)
    {
        (IMqttClient ops, _) = await central.ConnectOpsAsync("ops-durable", persistentSession: true);
        await ops.SubscribeAsync($"kiosks/{KioskId}/v1/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await ops.DisconnectAsync();
    }

    static async Task<List<string>> StatusPayloadsAsync(Inbox inbox, int count)
    {
        var payloads = new List<string>();
        while (payloads.Count < count)
        {
            MqttApplicationMessage message = await inbox.NextAsync(TimeSpan.FromSeconds(10));
            if (message.Topic == $"kiosks/{KioskId}/v1/mcu-01/status")
            {
                payloads.Add(Text(message));
            }
        }

        return payloads;
    }

    [Fact]
    public async Task Status_and_printer_state_go_up_under_the_kiosk_prefix_retained_and_the_bridge_says_online()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central));
        CentralOperationsBridge bridge = harness.Broker.Bridge!;
        await WaitUntilAsync(() => bridge.IsConnected, "bridge connected");
        IMqttClient device = await harness.ConnectDeviceAsync();

        await device.PublishAsync(Message("kiosk/v1/mcu-01/status", "{\"online\":true,\"firmware\":\"0.1.0\"}", retain: true));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/printer", "{\"paper\":\"near-end\",\"cover\":\"closed\",\"online\":true}", retain: true));
        await WaitUntilAsync(() => bridge.Queue.Count == 0, "queue forwarded");

        // Subscribing afterwards: what arrives is what the central cluster retained.
        (IMqttClient ops, Inbox inbox) = await central.ConnectOpsAsync();
        await ops.SubscribeAsync($"kiosks/{KioskId}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var retained = new Dictionary<string, MqttApplicationMessage>();
        while (retained.Count < 4)
        {
            MqttApplicationMessage message = await inbox.NextAsync();
            Assert.True(message.Retain, $"{message.Topic} should be retained");
            retained[message.Topic] = message;
        }

        Assert.Equal("{\"online\":true,\"firmware\":\"0.1.0\"}", Text(retained["kiosks/k1/v1/mcu-01/status"]));
        Assert.Equal("{\"paper\":\"near-end\",\"cover\":\"closed\",\"online\":true}", Text(retained["kiosks/k1/v1/mcu-01/state/printer"]));
        using JsonDocument state = JsonDocument.Parse(Text(retained["kiosks/k1/bridge/state"]));
        Assert.True(state.RootElement.GetProperty("online").GetBoolean());
        using JsonDocument health = JsonDocument.Parse(Text(retained["kiosks/k1/bridge/health"]));
        Assert.Equal("k1", health.RootElement.GetProperty("kioskId").GetString());
        Assert.Equal(0, health.RootElement.GetProperty("dropped").GetInt64());

        // A clean stop of the edge broker says "offline", retained (a clean DISCONNECT suppresses the will).
        await harness.Broker.StopAsync();
        (IMqttClient later, Inbox laterInbox) = await central.ConnectOpsAsync("ops-later");
        await later.SubscribeAsync($"kiosks/{KioskId}/bridge/state");
        MqttApplicationMessage offline = await laterInbox.NextAsync();
        Assert.Equal("{\"online\":false}", Text(offline));
        Assert.True(offline.Retain);
    }

    [Fact]
    public async Task Only_allow_listed_topics_leave_the_kiosk_and_card_events_are_only_counted()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central, bridge => bridge with { HealthInterval = TimeSpan.FromMilliseconds(300) }));
        await WaitUntilAsync(() => harness.Broker.Bridge!.IsConnected, "bridge connected");
        (IMqttClient ops, Inbox inbox) = await central.ConnectOpsAsync();
        await ops.SubscribeAsync("#", MqttQualityOfServiceLevel.AtLeastOnce);
        IMqttClient device = await harness.ConnectDeviceAsync();
        IMqttClient host = await harness.ConnectHostAsync();

        await device.PublishAsync(Message("kiosk/v1/mcu-01/event/card", "{\"event\":\"placed\",\"protocol\":\"iso14443-4a\",\"bitRate\":424}"));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/event/finger", "{\"event\":\"placed\"}"));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/reply/host-1", "SECRET-APDU-REPLY-9000"));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/door", "{\"open\":false}", retain: true));
        await host.PublishAsync(Message("kiosk/v1/mcu-01/cmd/apdu", "SECRET-APDU-COMMAND"));
        await host.PublishAsync(Message("kiosk/v1/mcu-01/cmd/print", "SECRET-PRINT-JOB"));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/status", "{\"online\":true}", retain: true));

        (_, List<MqttApplicationMessage> before) = await ReadUntilAsync(inbox, "kiosks/k1/v1/mcu-01/status");
        // The next health message after the card event counts it (and nothing else of it).
        (MqttApplicationMessage health, List<MqttApplicationMessage> between) = await ReadUntilAsync(inbox, "kiosks/k1/bridge/health",
            message => Text(message).Contains("\"cardsPlaced\":1", StringComparison.Ordinal));

        foreach (MqttApplicationMessage message in before.Concat(between))
        {
            Assert.Contains(message.Topic, new[] { "kiosks/k1/bridge/state", "kiosks/k1/bridge/health", "kiosks/k1/v1/mcu-01/status" });
        }

        Assert.DoesNotContain("iso14443", Text(health));
        Assert.DoesNotContain("SECRET", harness.LogText);
        Assert.DoesNotContain(central.BridgePassword, harness.LogText);
    }

    [Fact]
    public async Task Uplink_down_queues_on_disk_then_forwards_in_order_dropping_the_oldest_beyond_the_bound()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await PrepareOfflineObserverAsync(central);
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central, bridge => bridge with { QueueMaxMessages = 4 }));
        CentralOperationsBridge bridge = harness.Broker.Bridge!;
        await WaitUntilAsync(() => bridge.IsConnected, "bridge connected");

        await central.StopAsync();
        await WaitUntilAsync(() => !bridge.IsConnected, "bridge noticed the uplink is down");
        IMqttClient device = await harness.ConnectDeviceAsync();
        for (int index = 1; index <= 6; index++)
        {
            await device.PublishAsync(Message("kiosk/v1/mcu-01/status", $"{{\"online\":true,\"uptimeSeconds\":{index}}}", retain: true));
        }

        Assert.Equal(4, bridge.Queue.Count);
        Assert.Equal(2, bridge.Queue.Dropped);
        Assert.True(new FileInfo(Path.Combine(harness.DataDirectory, "bridge", OutboundQueue.LogFileName)).Length > 0);

        await central.StartAsync();
        await WaitUntilAsync(() => bridge.IsConnected && bridge.Queue.Count == 0, "queue forwarded after reconnect");
        (_, Inbox inbox) = await central.ConnectOpsAsync("ops-durable", persistentSession: true);

        Assert.Equal(
            Enumerable.Range(3, 4).Select(index => $"{{\"online\":true,\"uptimeSeconds\":{index}}}"),
            await StatusPayloadsAsync(inbox, 4));
        Assert.True(await inbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_broker_restart_keeps_a_non_empty_queue()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await PrepareOfflineObserverAsync(central);
        await central.StopAsync();

        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central));
        IMqttClient device = await harness.ConnectDeviceAsync();
        for (int index = 1; index <= 3; index++)
        {
            await device.PublishAsync(Message("kiosk/v1/mcu-01/status", $"{{\"n\":{index}}}", retain: true));
        }

        Assert.Equal(3, harness.Broker.Bridge!.Queue.Count);
        await harness.RestartAsync();
        CentralOperationsBridge bridge = harness.Broker.Bridge!;
        Assert.Equal(3, bridge.Queue.Count);

        await central.StartAsync();
        await WaitUntilAsync(() => bridge.IsConnected && bridge.Queue.Count == 0, "queue forwarded after the uplink came up");
        (_, Inbox inbox) = await central.ConnectOpsAsync("ops-durable", persistentSession: true);
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"], await StatusPayloadsAsync(inbox, 3));
    }

    static MqttApplicationMessage Expiring(string topic, string payload, uint expirySeconds) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .WithMessageExpiryInterval(expirySeconds)
            .Build();

    /// <summary>Stops the central broker; with <paramref name="loseRetained"/> its persistence (retained messages and
    /// sessions) is wiped too, as a rebuilt or failed-over cluster node would have lost it.</summary>
    static async Task TakeCentralDownAsync(MosquittoHarness central, CentralOperationsBridge bridge, bool loseRetained = false)
    {
        await central.StopAsync();
        if (loseRetained)
        {
            string database = Path.Combine(central.Root, "db");
            Directory.Delete(database, recursive: true);
            Directory.CreateDirectory(database);
        }

        await WaitUntilAsync(() => !bridge.IsConnected, "bridge noticed the uplink is down");
    }

    static async Task BringCentralBackAsync(MosquittoHarness central, CentralOperationsBridge bridge)
    {
        int republishes = bridge.RetainedRepublishes;
        await central.StartAsync();
        await WaitUntilAsync(() => bridge.RetainedRepublishes > republishes, "retained state republished after the reconnect");
    }

    /// <summary>Reads <paramref name="count"/> messages on the kiosk's device topics as "subtopic=payload" and checks
    /// that nothing more follows. <paramref name="fromRetainedStore"/>: read right after SUBSCRIBE, so each must carry
    /// the retain flag (a live or session-queued delivery does not).</summary>
    static async Task<List<string>> DeviceMessagesAsync(Inbox inbox, int count, bool fromRetainedStore = false)
    {
        var seen = new List<string>();
        while (seen.Count < count)
        {
            MqttApplicationMessage message = await inbox.NextAsync(TimeSpan.FromSeconds(10));
            Assert.True(message.Retain || !fromRetainedStore, $"{message.Topic} should come from the retained store");
            seen.Add($"{message.Topic["kiosks/k1/v1/mcu-01/".Length..]}={Text(message)}");
        }

        MqttApplicationMessage? extra = await inbox.TryNextAsync(TimeSpan.FromMilliseconds(400));
        Assert.True(extra is null, $"unexpected extra message on {extra?.Topic}: {(extra is null ? "" : Text(extra))}");
        return seen;
    }

    [Fact]
    public async Task After_a_reconnect_the_cluster_gets_the_retained_state_it_lost_and_nothing_outside_the_allow_list()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central));
        CentralOperationsBridge bridge = harness.Broker.Bridge!;
        await WaitUntilAsync(() => bridge.RetainedRepublishes >= 1, "first connect done");
        IMqttClient device = await harness.ConnectDeviceAsync();
        await device.PublishAsync(Message("kiosk/v1/mcu-01/status", "{\"online\":true,\"firmware\":\"MARK-1\"}", retain: true));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/printer", "{\"paper\":\"ok\",\"cover\":\"closed\"}", retain: true));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/door", "{\"open\":false}", retain: true));
        await WaitUntilAsync(() => bridge.Queue.Count == 0, "queue forwarded");

        // Nothing changes on the kiosk while the cluster is down and comes back without its retained messages.
        await TakeCentralDownAsync(central, bridge, loseRetained: true);
        await BringCentralBackAsync(central, bridge);

        (IMqttClient ops, Inbox inbox) = await central.ConnectOpsAsync();
        await ops.SubscribeAsync($"kiosks/{KioskId}/v1/#", MqttQualityOfServiceLevel.AtLeastOnce);
        List<string> retained = await DeviceMessagesAsync(inbox, 2, fromRetainedStore: true);
        Assert.Equal(
            ["state/printer={\"paper\":\"ok\",\"cover\":\"closed\"}", "status={\"online\":true,\"firmware\":\"MARK-1\"}"],
            retained.Order(StringComparer.Ordinal));
        Assert.Contains("bridge republished retained=2 unchanged=0", harness.LogText);
        Assert.DoesNotContain("MARK-1", harness.LogText);
    }

    [Fact]
    public async Task After_an_outage_the_backlog_goes_first_and_the_republish_skips_what_it_just_delivered()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await PrepareOfflineObserverAsync(central);
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central));
        CentralOperationsBridge bridge = harness.Broker.Bridge!;
        await WaitUntilAsync(() => bridge.RetainedRepublishes >= 1, "first connect done");
        IMqttClient device = await harness.ConnectDeviceAsync();
        await device.PublishAsync(Message("kiosk/v1/mcu-01/status", "{\"n\":1}", retain: true));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/printer", "{\"paper\":\"ok\"}", retain: true));
        await WaitUntilAsync(() => bridge.Queue.Count == 0, "queue forwarded");
        (IMqttClient observer, Inbox before) = await central.ConnectOpsAsync("ops-durable", persistentSession: true);
        Assert.Equal(["status={\"n\":1}", "state/printer={\"paper\":\"ok\"}"], await DeviceMessagesAsync(before, 2));
        await observer.DisconnectAsync();

        await TakeCentralDownAsync(central, bridge);
        await device.PublishAsync(Message("kiosk/v1/mcu-01/status", "{\"n\":2}", retain: true));
        Assert.Equal(1, bridge.Queue.Count);
        await BringCentralBackAsync(central, bridge);

        // The queued status first, then the printer state (unchanged, so only the republish sends it); the status the
        // backlog just delivered is not sent twice.
        (_, Inbox after) = await central.ConnectOpsAsync("ops-durable", persistentSession: true);
        Assert.Equal(["status={\"n\":2}", "state/printer={\"paper\":\"ok\"}"], await DeviceMessagesAsync(after, 2));
        Assert.Contains("bridge republished retained=1 unchanged=1", harness.LogText);
    }

    [Fact]
    public async Task An_expired_queued_message_is_not_delivered_and_a_fresh_one_is_with_its_remaining_expiry()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await PrepareOfflineObserverAsync(central);
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central,
            bridge => bridge with { Clock = clock, QueueMaxAge = TimeSpan.FromHours(1) }));
        CentralOperationsBridge bridge = harness.Broker.Bridge!;
        await WaitUntilAsync(() => bridge.RetainedRepublishes >= 1, "first connect done");
        await TakeCentralDownAsync(central, bridge);

        IMqttClient device = await harness.ConnectDeviceAsync();
        await device.PublishAsync(Expiring("kiosk/v1/mcu-01/status", "{\"n\":\"STALE-MARK\"}", expirySeconds: 60));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/printer", "{\"paper\":\"old\"}", retain: true));
        clock.Advance(TimeSpan.FromHours(2)); // past the status's own expiry and past the queue's maximum age
        await device.PublishAsync(Expiring("kiosk/v1/mcu-01/status", "{\"n\":\"fresh\"}", expirySeconds: 600));
        await device.PublishAsync(Message("kiosk/v1/mcu-01/state/printer", "{\"paper\":\"new\"}", retain: true));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(4, bridge.Queue.Count);

        await BringCentralBackAsync(central, bridge);
        Assert.Equal(2, bridge.Queue.Expired);
        Assert.Equal(0, bridge.Queue.Dropped);

        (_, Inbox inbox) = await central.ConnectOpsAsync("ops-durable", persistentSession: true);
        MqttApplicationMessage status = await inbox.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("{\"n\":\"fresh\"}", Text(status));
        Assert.InRange(status.MessageExpiryInterval, 1u, 590u);
        Assert.Equal(["state/printer={\"paper\":\"new\"}"], await DeviceMessagesAsync(inbox, 1));

        // Operations see the count in the health message; the log has counts, never the payloads.
        (IMqttClient ops, Inbox healthInbox) = await central.ConnectOpsAsync();
        await ops.SubscribeAsync(BridgeTopics.Health(KioskId));
        // The retained one may still be from before the outage; the one after the reconnect carries the count.
        (MqttApplicationMessage health, _) = await ReadUntilAsync(healthInbox, BridgeTopics.Health(KioskId),
            message => Text(message).Contains("\"expired\":2", StringComparison.Ordinal));
        using JsonDocument healthBody = JsonDocument.Parse(Text(health));
        Assert.Equal(0, healthBody.RootElement.GetProperty("dropped").GetInt64());
        Assert.DoesNotContain("STALE-MARK", harness.LogText);
        Assert.Contains("bridge republished retained=0 unchanged=2", harness.LogText);
    }

    [Fact]
    public async Task Central_ping_is_answered_and_broken_or_foreign_commands_change_nothing()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central));
        await WaitUntilAsync(() => harness.Broker.Bridge!.IsConnected, "bridge connected");
        IMqttClient host = await harness.ConnectHostAsync();
        var local = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/#");
        (IMqttClient ops, Inbox replies) = await central.ConnectOpsAsync();
        await ops.SubscribeAsync("kiosks/k1/reply/#", MqttQualityOfServiceLevel.AtLeastOnce);

        byte[] correlation = [1, 2, 3, 4];
        await ops.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("kiosks/k1/cmd/ping").WithPayload("{\"id\":\"abc\"}"u8.ToArray())
            .WithCorrelationData(correlation).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        MqttApplicationMessage pong = await replies.NextAsync();
        Assert.Equal("kiosks/k1/reply/ping", pong.Topic);
        Assert.Equal(correlation, pong.CorrelationData);
        using (JsonDocument answer = JsonDocument.Parse(Text(pong)))
        {
            Assert.True(answer.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal("abc", answer.RootElement.GetProperty("id").GetString());
        }

        // Broken payloads get a "bad-request" answer; the bridge stays up.
        byte[][] broken = [[0xFF, 0xFE, 0x00], "[1,2]"u8.ToArray(), "{\"id\":5}"u8.ToArray(), "{\"id\":"u8.ToArray(), new byte[5000]];
        foreach (byte[] payload in broken)
        {
            await ops.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("kiosks/k1/cmd/ping").WithPayload(payload).Build());
            MqttApplicationMessage refusal = await replies.NextAsync();
            using JsonDocument answer = JsonDocument.Parse(Text(refusal));
            Assert.False(answer.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal("bad-request", answer.RootElement.GetProperty("error").GetString());
        }

        // Commands central might try to pass to the firmware go nowhere.
        await ops.PublishAsync(Message("kiosks/k1/cmd/apdu", "00A4040007"));
        await ops.PublishAsync(Message("kiosk/v1/mcu-01/cmd/apdu", "00A4040007"));
        await ops.PublishAsync(Message("kiosks/k1/v1/mcu-01/cmd/print", "job"));
        await ops.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("kiosks/k1/cmd/ping").Build());
        MqttApplicationMessage emptyPing = await replies.NextAsync();
        Assert.Contains("\"ok\":true", Text(emptyPing), StringComparison.Ordinal);
        Assert.True(await local.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
        Assert.True(harness.Broker.Bridge!.IsConnected);
    }

    [Fact]
    public async Task Central_learns_offline_from_the_will_when_the_bridge_connection_ends_without_disconnect()
    {
        // An abrupt loss of the kiosk (power cut, uplink cut) is what the will is for. Simulated by taking over the
        // bridge's session: the old connection ends without a DISCONNECT and Mosquitto publishes its will.
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        await using MosquittoHarness central = await MosquittoHarness.StartAsync();
        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central));
        await WaitUntilAsync(() => harness.Broker.Bridge!.IsConnected, "bridge connected");
        (IMqttClient ops, Inbox inbox) = await central.ConnectOpsAsync();
        await ops.SubscribeAsync("kiosks/k1/bridge/state");
        Assert.Contains("\"online\":true", Text(await inbox.NextAsync()), StringComparison.Ordinal);

        IMqttClient intruder = new MqttClientFactory().CreateMqttClient();
        await intruder.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", central.Port)
            .WithClientId($"kiosk-{KioskId}-bridge").WithCredentials(MosquittoHarness.BridgeUser, central.BridgePassword).Build());
        MqttApplicationMessage will = await inbox.NextAsync();
        Assert.Equal("{\"online\":false}", Text(will));
        intruder.Dispose();
    }

    [Fact]
    public async Task Mutual_tls_with_the_fleet_ca_connects_and_a_foreign_ca_does_not()
    {
        Assert.True(MosquittoHarness.IsAvailable, "mosquitto is missing: ./kiosk test installs it");
        using TestPki pki = TestPki.Create();
        using TestPki foreign = TestPki.Create();
        await using MosquittoHarness central = await MosquittoHarness.StartAsync(tls: pki);
        Func<BridgeOptions, BridgeOptions> tls = bridge => bridge with
        {
            Url = new Uri($"mqtts://127.0.0.1:{central.Port}"),
            CaFile = pki.CaFile,
            CertificateFile = pki.ClientCertificateFile,
            KeyFile = pki.ClientKeyFile,
        };

        await using (BrokerHarness wrongCa = await BrokerHarness.StartAsync(WithBridge(central, bridge => tls(bridge) with { CaFile = foreign.CaFile })))
        {
            await WaitUntilAsync(() => wrongCa.LogText.Contains("bridge uplink down", StringComparison.Ordinal), "refused TLS");
            Assert.False(wrongCa.Broker.Bridge!.IsConnected);
        }

        await using BrokerHarness harness = await BrokerHarness.StartAsync(WithBridge(central, tls));
        await WaitUntilAsync(() => harness.Broker.Bridge!.IsConnected, "bridge connected over TLS");
        IMqttClient device = await harness.ConnectDeviceAsync();
        await device.PublishAsync(Message("kiosk/v1/mcu-01/status", "{\"online\":true}", retain: true));
        await WaitUntilAsync(() => harness.Broker.Bridge!.Queue.Count == 0, "forwarded over TLS");
    }

    [Fact]
    public void Only_status_and_printer_state_map_upstream()
    {
        Assert.Equal("kiosks/k1/v1/mcu-01/status", BridgeTopics.MapUpstream("k1", "kiosk/v1/mcu-01/status"));
        Assert.Equal("kiosks/k1/v1/mcu-01/state/printer", BridgeTopics.MapUpstream("k1", "kiosk/v1/mcu-01/state/printer"));
        foreach (string local in new[]
                 {
                     "kiosk/v1/mcu-01/event/card", "kiosk/v1/mcu-01/event/finger", "kiosk/v1/mcu-01/reply/host-1",
                     "kiosk/v1/mcu-01/cmd/apdu", "kiosk/v1/mcu-01/cmd/print", "kiosk/v1/mcu-01/state/door",
                     "kiosk/v1/mcu-01/status/x", "kiosk/v2/mcu-01/status", "$SYS/broker/uptime", "kiosk/v1/../status",
                 })
        {
            Assert.Null(BridgeTopics.MapUpstream("k1", local));
        }
    }

    [Fact]
    public void Ping_payloads_are_read_strictly()
    {
        Assert.True(CentralOperationsBridge.TryReadPing([], out string? none));
        Assert.Null(none);
        Assert.True(CentralOperationsBridge.TryReadPing("{\"id\":\"x-1\",\"other\":[1]}"u8.ToArray(), out string? id));
        Assert.Equal("x-1", id);
        Assert.False(CentralOperationsBridge.TryReadPing("{} trailing"u8.ToArray(), out _));
        Assert.False(CentralOperationsBridge.TryReadPing([0xC3, 0x28], out _));
        Assert.False(CentralOperationsBridge.TryReadPing(Encoding.UTF8.GetBytes($"{{\"id\":\"{new string('a', 65)}\"}}"), out _));
    }
}
