using Kiosk.EdgeBroker.Access;
using Kiosk.EdgeBroker.Users;
using Kiosk.Tests.Shared;

namespace EdgeBroker.Tests;

/// <summary>The broker's ACL against docs/mqtt.md's topic table: each row's direction decides who may publish and who
/// may subscribe, for the device it names and for no other.</summary>
public class ContractAccessTests
{
    static readonly BrokerUser Device = new("mcu-01", UserRole.Device);
    static readonly BrokerUser OtherDevice = new("mcu-02", UserRole.Device);
    static readonly BrokerUser Host = new("host", UserRole.Host);

    public static TheoryData<string> Rows()
    {
        var data = new TheoryData<string>();
        foreach (DocumentedTopic row in MqttContractDocument.Topics()) data.Add(row.Pattern);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Who_may_publish_and_subscribe_follows_the_direction_column(string pattern)
    {
        DocumentedTopic row = MqttContractDocument.Topics().Single(r => r.Pattern == pattern);
        string topic = row.Fill("mcu-01", "host-1a2b3c4d", "0123456789abcdef");

        Assert.Equal(row.FromFirmware, AccessControl.CanPublish(Device, topic));
        Assert.Equal(!row.FromFirmware, AccessControl.CanSubscribe(Device, topic));
        Assert.Equal(!row.FromFirmware, AccessControl.CanPublish(Host, topic));
        Assert.True(AccessControl.CanSubscribe(Host, topic));
        Assert.False(AccessControl.CanPublish(OtherDevice, topic));
        Assert.False(AccessControl.CanSubscribe(OtherDevice, topic));
    }
}
