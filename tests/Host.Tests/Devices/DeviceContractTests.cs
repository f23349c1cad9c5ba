using Kiosk.DeviceContract;
using Kiosk.Host.Devices;
using Kiosk.Tests.Shared;
using MQTTnet;

namespace Kiosk.Host.Tests.Devices;

/// <summary>The host's side of docs/mqtt.md: what it subscribes to, with which QoS. Its requests are checked against
/// the same table in MqttFirmwareLinkTests, where a scripted firmware records what the host published.</summary>
public class DeviceContractTests
{
    private static bool Matches(string topic, string filter) => MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch;

    [Fact]
    public void The_host_hears_every_firmware_topic_meant_for_it_and_no_command()
    {
        var subscriptions = DeviceMessages.Subscriptions("mcu-01", "host-1");
        foreach (DocumentedTopic row in MqttContractDocument.Topics())
        {
            string topic = row.Fill("mcu-01", "host-1", "7");
            var heard = subscriptions.Where(s => Matches(topic, s.Filter)).ToList();
            if (!row.FromFirmware)
            {
                Assert.Empty(heard);
                continue;
            }
            var subscription = Assert.Single(heard);
            Assert.Equal(row.Qos, subscription.Qos);
            // Never another device's topics, nor another requester's replies.
            Assert.DoesNotContain(subscriptions, s => Matches(row.Fill("mcu-02", "host-1", "7"), s.Filter));
            if (row.Pattern.Contains("{requester}"))
                Assert.DoesNotContain(subscriptions, s => Matches(row.Fill("mcu-01", "host-2", "7"), s.Filter));
        }
    }

    [Fact]
    public void The_host_reads_each_documented_payload_kind()
    {
        foreach (DocumentedTopic row in MqttContractDocument.Topics().Where(r => r.FromFirmware && !r.Pattern.Contains("{id}")))
        {
            ParsedTopic? parsed = Topics.Parse(row.Fill("mcu-01"));
            Assert.NotNull(parsed);
            // An empty object is not a valid payload of any kind: each kind is parsed, none is taken blindly.
            Assert.Null(DeviceMessages.ParseEvent(parsed.Kind, "{}"u8.ToArray()));
        }
    }
}
