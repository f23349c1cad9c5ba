using Kiosk.EdgeBroker.Access;

namespace EdgeBroker.Tests;

public class TopicRulesTests
{
    [Theory]
    [InlineData("kiosk/v1/mcu-01/status", "kiosk/v1/mcu-01/status", true)]
    [InlineData("kiosk/v1/+/status", "kiosk/v1/mcu-01/status", true)]
    [InlineData("kiosk/v1/#", "kiosk/v1/mcu-01/event/card", true)]
    [InlineData("kiosk/v1/mcu-01/cmd/#", "kiosk/v1/mcu-01/cmd", true)] // '#' includes the parent level
    [InlineData("kiosk/v1/+/status", "kiosk/v1/status", false)]
    [InlineData("kiosk/v1/+", "kiosk/v1/mcu-01/status", false)]
    [InlineData("kiosk/v1/mcu-01/status", "kiosk/v1/mcu-01/status/x", false)]
    [InlineData("#", "$SYS/broker/load", false)] // wildcards never match '$' topics at the first level
    [InlineData("+/broker/load", "$SYS/broker/load", false)]
    [InlineData("$SYS/#", "$SYS/broker/load", true)]
    public void Matches_follows_mqtt_wildcard_rules(string filter, string topic, bool expected) =>
        Assert.Equal(expected, TopicRules.Matches(filter, topic));

    [Theory]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu", "kiosk/v1/mcu-01/cmd/#", true)]
    [InlineData("kiosk/v1/mcu-01/cmd/+", "kiosk/v1/mcu-01/cmd/#", true)]
    [InlineData("kiosk/v1/mcu-01/cmd/#", "kiosk/v1/mcu-01/cmd/#", true)]
    [InlineData("kiosk/v1/mcu-01/cmd", "kiosk/v1/mcu-01/cmd/#", true)]
    [InlineData("kiosk/v1/+/cmd/#", "kiosk/v1/mcu-01/cmd/#", false)] // '+' also stands for other devices
    [InlineData("kiosk/v1/#", "kiosk/v1/mcu-01/cmd/#", false)]
    [InlineData("#", "kiosk/v1/mcu-01/cmd/#", false)]
    [InlineData("kiosk/v1/mcu-01/#", "kiosk/v1/mcu-01/cmd/#", false)]
    [InlineData("kiosk/v1/mcu-01", "kiosk/v1/mcu-01/cmd/#", false)]
    [InlineData("kiosk/v1/mcu-02/cmd/apdu", "kiosk/v1/mcu-01/cmd/#", false)]
    [InlineData("kiosk/v1/+/status", "kiosk/v1/#", true)]
    [InlineData("kiosk/v1/+/status", "kiosk/v1/+/status", true)]
    [InlineData("kiosk/v1/mcu-01/status", "kiosk/v1/+/status", true)]
    [InlineData("kiosk/v1/+/status", "kiosk/v1/mcu-01/status", false)]
    [InlineData("kiosk/v1/+/state/#", "kiosk/v1/+/status", false)]
    [InlineData("kiosk/v1/mcu-01/status/#", "kiosk/v1/+/status", false)]
    [InlineData("anything/at/all", "#", true)]
    public void IsWithin_accepts_only_filters_that_match_a_subset(string inner, string outer, bool expected) =>
        Assert.Equal(expected, TopicRules.IsWithin(inner, outer));

    [Theory]
    [InlineData("kiosk/v1/mcu-01/status", true)]
    [InlineData("kiosk/v1/mcu-01/reply/host-7f3a", true)]
    [InlineData("", false)]
    [InlineData("/kiosk/v1", false)] // empty first level
    [InlineData("kiosk//v1", false)]
    [InlineData("kiosk/v1/", false)]
    [InlineData("kiosk/v1/mcu-01/cmd/../", false)]
    [InlineData("kiosk/v1/mcu-01/event/../../mcu-02/cmd/apdu", false)]
    [InlineData("kiosk/v1/./status", false)]
    [InlineData("kiosk/v1/+/status", false)]
    [InlineData("kiosk/v1/#", false)]
    [InlineData("kiosk/v1/mcu+01/status", false)]
    [InlineData("$SYS/broker", false)]
    [InlineData("kiosk/v1/mcu-01/status\u0000", false)]
    [InlineData("kiosk/v1/mcu-01/sta\ntus", false)]
    public void IsValidTopicName_refuses_wildcards_empty_and_dot_levels(string topic, bool expected) =>
        Assert.Equal(expected, TopicRules.IsValidTopicName(topic));

    [Theory]
    [InlineData("kiosk/v1/#", true)]
    [InlineData("#", true)]
    [InlineData("+", true)]
    [InlineData("kiosk/+/+/status", true)]
    [InlineData("kiosk/#/status", false)] // '#' must be last
    [InlineData("kiosk/v1#", false)] // '#' must be a whole level
    [InlineData("kiosk/v1/mcu-01+/cmd", false)]
    [InlineData("kiosk/v1//cmd/#", false)]
    [InlineData("$SYS/#", false)]
    [InlineData("$share/group/kiosk/v1/#", false)]
    [InlineData("", false)]
    public void IsValidFilter_checks_wildcard_placement(string filter, bool expected) =>
        Assert.Equal(expected, TopicRules.IsValidFilter(filter));
}
