using System.Text;
using Kiosk.Host.Devices;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Host.Tests.Devices;

public class DeviceMessagesTests
{
    [Theory]
    [InlineData("kiosk/v1/mcu-01/status", TopicKind.Status)]
    [InlineData("kiosk/v1/mcu-01/event/card", TopicKind.CardEvent)]
    [InlineData("kiosk/v1/mcu-01/event/finger", TopicKind.FingerEvent)]
    [InlineData("kiosk/v1/mcu-01/state/printer", TopicKind.PrinterState)]
    [InlineData("kiosk/v1/mcu-01/reply/host-1", TopicKind.Reply)]
    [InlineData("kiosk/v1/mcu-01/reply/other", TopicKind.Unknown)]
    [InlineData("kiosk/v1/mcu-02/status", TopicKind.Unknown)]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu", TopicKind.Unknown)]
    public void Classifies_topics(string topic, TopicKind kind) => Assert.Equal(kind, DeviceMessages.Classify(topic, "mcu-01", "host-1"));

    [Fact]
    public void Parses_the_contract_payloads()
    {
        var status = Assert.IsType<DeviceEvent.Status>(DeviceMessages.ParseEvent(TopicKind.Status,
            """{"online":true,"firmware":"0.1.0","reader":"ok","fingerprint":"absent","printer":"ok","uptimeSeconds":42,"extra":1}"""u8));
        Assert.Equal(new DeviceStatus(true, "0.1.0", "ok", "absent", "ok", 42), status.Value);
        Assert.Equal(new DeviceStatus(false, null, null, null, null, null),
            Assert.IsType<DeviceEvent.Status>(DeviceMessages.ParseEvent(TopicKind.Status, """{"online":false}"""u8)).Value);
        Assert.Equal("iso14443-4a", Assert.IsType<DeviceEvent.CardPlaced>(DeviceMessages.ParseEvent(TopicKind.CardEvent, """{"event":"placed","protocol":"iso14443-4a"}"""u8)).Protocol);
        Assert.IsType<DeviceEvent.CardRemoved>(DeviceMessages.ParseEvent(TopicKind.CardEvent, """{"event":"removed"}"""u8));
        Assert.IsType<DeviceEvent.FingerPlaced>(DeviceMessages.ParseEvent(TopicKind.FingerEvent, """{"event":"placed"}"""u8));
        Assert.Equal(new PrinterState("out", "open", true),
            Assert.IsType<DeviceEvent.Printer>(DeviceMessages.ParseEvent(TopicKind.PrinterState, """{"paper":"out","cover":"open","online":true}"""u8)).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("\"placed\"")]
    [InlineData("{\"event\":\"exploded\"}")]
    [InlineData("{\"event\":5}")]
    public void Broken_payloads_are_null_not_exceptions(string payload)
    {
        Assert.Null(DeviceMessages.ParseEvent(TopicKind.CardEvent, Encoding.UTF8.GetBytes(payload)));
    }

    [Fact]
    public void Reply_parsing()
    {
        Assert.Null(FirmwareReply.Parse([]));
        var reply = FirmwareReply.Parse([0x00, 0x90, 0x00])!;
        Assert.Equal(ReplyCode.Ok, reply.Code);
        Assert.Equal(new byte[] { 0x90, 0x00 }, reply.Body);
        Assert.Equal(ReplyCode.PaperOut, FirmwareReply.Parse([0x04])!.Code);
    }

    [Fact]
    public void The_link_ignores_garbage_from_the_broker()
    {
        using var link = new MqttFirmwareLink(new HostOptions(), NullLogger<MqttFirmwareLink>.Instance);
        var events = new List<DeviceEvent>();
        link.Changed += events.Add;
        link.OnMessage("kiosk/v1/mcu-01/event/card", Encoding.UTF8.GetBytes("{garbage"), null);
        link.OnMessage("kiosk/v1/mcu-01/reply/" + link.ClientId, [0x00, 0x90, 0x00], new byte[16]); // nobody waits for it
        link.OnMessage("kiosk/v1/mcu-01/reply/" + link.ClientId, [], null);
        link.OnMessage("kiosk/v1/mcu-01/state/printer", [0xFF, 0xFE], null);
        link.OnMessage("elsewhere", [1, 2, 3], null);
        Assert.Empty(events);

        link.OnMessage("kiosk/v1/mcu-01/event/card", """{"event":"placed","protocol":"iso14443-4a"}"""u8.ToArray(), null);
        Assert.True(link.Snapshot.CardPresent);
        Assert.Single(events);
    }
}
