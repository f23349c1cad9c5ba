using Kiosk.EdgeBroker.Access;
using Kiosk.EdgeBroker.Users;

namespace EdgeBroker.Tests;

public class AccessControlTests
{
    static readonly BrokerUser Device = new("mcu-01", UserRole.Device);
    static readonly BrokerUser Host = new("host", UserRole.Host);
    static readonly BrokerUser Bridge = new("ops-bridge", UserRole.Bridge);

    [Theory]
    [InlineData("kiosk/v1/mcu-01/status", true)]
    [InlineData("kiosk/v1/mcu-01/event/card", true)]
    [InlineData("kiosk/v1/mcu-01/event/finger", true)]
    [InlineData("kiosk/v1/mcu-01/state/printer", true)]
    [InlineData("kiosk/v1/mcu-01/reply/host-1/1a2b", true)]
    [InlineData("kiosk/v1/mcu-01/status/extra", false)]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu/host-1/1a2b", false)] // a device never commands itself or others
    [InlineData("kiosk/v1/mcu-02/status", false)]
    [InlineData("kiosk/v1/mcu-02/event/card", false)]
    [InlineData("kiosk/v1/mcu-01/event/../../mcu-02/status", false)]
    [InlineData("kiosk/v1/mcu-01/event//card", false)]
    [InlineData("kiosk/v2/mcu-01/status", false)]
    [InlineData("$SYS/broker/uptime", false)]
    [InlineData("kiosk/v1/+/status", false)]
    [InlineData("", false)]
    public void Device_publishes_only_below_its_own_name(string topic, bool expected) =>
        Assert.Equal(expected, AccessControl.CanPublish(Device, topic));

    [Theory]
    [InlineData("kiosk/v1/mcu-01/cmd/#", true)]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu/host-1/1a2b", true)]
    [InlineData("kiosk/v1/mcu-01/cmd/print", true)]
    [InlineData("kiosk/v1/mcu-01/cmd/+", true)]
    [InlineData("kiosk/v1/+/cmd/#", false)]
    [InlineData("kiosk/v1/#", false)]
    [InlineData("#", false)]
    [InlineData("+/+/+/cmd/#", false)]
    [InlineData("kiosk/v1/mcu-02/cmd/#", false)]
    [InlineData("kiosk/v1/mcu-01/status", false)]
    [InlineData("kiosk/v1/mcu-01/cmd/../", false)]
    [InlineData("kiosk/v1/mcu-01/cmd//", false)]
    [InlineData("$SYS/#", false)]
    public void Device_subscribes_only_to_its_own_commands(string filter, bool expected) =>
        Assert.Equal(expected, AccessControl.CanSubscribe(Device, filter));

    [Theory]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu/host-1/1a2b", true)]
    [InlineData("kiosk/v1/mcu-02/cmd/print", true)]
    [InlineData("kiosk/v1/mcu-01/status", false)] // the host must not fake a device's status
    [InlineData("kiosk/v1/mcu-01/reply/host-1/1a2b", false)]
    [InlineData("kiosk/v1/mcu-01/event/card", false)]
    [InlineData("kiosk/v1//cmd/apdu/host-1/1a2b", false)]
    [InlineData("$SYS/x", false)]
    public void Host_publishes_only_commands(string topic, bool expected) =>
        Assert.Equal(expected, AccessControl.CanPublish(Host, topic));

    [Theory]
    [InlineData("kiosk/v1/#", true)]
    [InlineData("kiosk/v1/+/status", true)]
    [InlineData("kiosk/v1/mcu-01/reply/host-1/1a2b", true)]
    [InlineData("#", false)]
    [InlineData("$SYS/#", false)]
    [InlineData("kiosk/#", false)]
    [InlineData("kiosk/v2/#", false)]
    public void Host_subscribes_within_kiosk_v1(string filter, bool expected) =>
        Assert.Equal(expected, AccessControl.CanSubscribe(Host, filter));

    [Theory]
    [InlineData("kiosk/v1/+/status", true)]
    [InlineData("kiosk/v1/mcu-01/state/printer", true)]
    [InlineData("kiosk/v1/+/event/#", false)]
    [InlineData("kiosk/v1/+/cmd/#", false)]
    [InlineData("kiosk/v1/#", false)]
    public void Bridge_reads_only_fleet_telemetry(string filter, bool expected) =>
        Assert.Equal(expected, AccessControl.CanSubscribe(Bridge, filter));

    [Fact]
    public void Bridge_publishes_nothing() =>
        Assert.False(AccessControl.CanPublish(Bridge, "kiosk/v1/mcu-01/cmd/apdu/host-1/1a2b"));

    [Theory]
    [InlineData("kiosk/v1/mcu-01/status", true)]
    [InlineData("kiosk/v1/mcu-01/event/card", false)] // allowed to publish, but not as a will
    [InlineData("kiosk/v1/mcu-02/status", false)]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu/host-1/1a2b", false)]
    public void Device_will_may_only_be_its_status_topic(string willTopic, bool expected) =>
        Assert.Equal(expected, AccessControl.CanSetWill(Device, willTopic));

    [Fact]
    public void Device_name_with_topic_characters_is_not_a_valid_user_name()
    {
        Assert.True(BrokerUser.IsValidName("mcu-02"));
        Assert.False(BrokerUser.IsValidName("mcu/02"));
        Assert.False(BrokerUser.IsValidName("+"));
        Assert.False(BrokerUser.IsValidName("#"));
        Assert.False(BrokerUser.IsValidName(""));
        Assert.False(BrokerUser.IsValidName("mcu 02"));
    }
}
