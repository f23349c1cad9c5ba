using System.Text;
using Kiosk.DeviceContract;
using Kiosk.Host.Devices;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Host.Tests.Devices;

public class DeviceMessagesTests
{
    [Fact]
    public void Subscribes_to_what_the_device_publishes_for_every_host_and_to_its_own_replies()
    {
        var filters = DeviceMessages.Subscriptions("mcu-01", "host-1").Select(f => f.Filter).ToList();
        Assert.Equal(["kiosk/v1/mcu-01/status", "kiosk/v1/mcu-01/event/#", "kiosk/v1/mcu-01/state/#", "kiosk/v1/mcu-01/reply/host-1/+"], filters);
    }

    [Fact]
    public void Parses_the_contract_payloads()
    {
        var status = Assert.IsType<DeviceEvent.Status>(DeviceMessages.ParseEvent(TopicKind.Status,
            """{"online":true,"firmware":"0.1.0","reader":"ok","fingerprint":"absent","printer":"ok","uptimeSeconds":42,"extra":{"a":[1]},"startReason":"watchdog","freeMemoryBytes":51200,"wifiRssiDbm":-61,"connections":3}"""u8.ToArray()));
        Assert.Equal(new DeviceStatus(true, "0.1.0", "ok", "absent", "ok", 42, "watchdog", 51200, -61, 3), status.Value);
        Assert.Equal(new DeviceStatus(false, null, null, null, null, null),
            Assert.IsType<DeviceEvent.Status>(DeviceMessages.ParseEvent(TopicKind.Status, """{"online":false}"""u8.ToArray())).Value);
        Assert.Equal("iso14443-4a", Assert.IsType<DeviceEvent.CardPlaced>(DeviceMessages.ParseEvent(TopicKind.CardEvent, """{"event":"placed","protocol":"iso14443-4a"}"""u8.ToArray())).Protocol);
        Assert.IsType<DeviceEvent.CardRemoved>(DeviceMessages.ParseEvent(TopicKind.CardEvent, """{"event":"removed"}"""u8.ToArray()));
        Assert.IsType<DeviceEvent.FingerPlaced>(DeviceMessages.ParseEvent(TopicKind.FingerEvent, """{"event":"placed"}"""u8.ToArray()));
        Assert.Equal(new PrinterState("out", "open", true),
            Assert.IsType<DeviceEvent.Printer>(DeviceMessages.ParseEvent(TopicKind.PrinterState, """{"paper":"out","cover":"open","online":true}"""u8.ToArray())).Value);
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
        Assert.Equal(ReplyResult.Ok, reply.Code);
        Assert.Equal(new byte[] { 0x90, 0x00 }, reply.Body);
        Assert.Equal(ReplyResult.PaperOut, FirmwareReply.Parse([0x04])!.Code);
    }

    [Fact]
    public void The_link_ignores_garbage_from_the_broker()
    {
        using var link = new MqttFirmwareLink(new HostOptions(), NullLogger<MqttFirmwareLink>.Instance);
        var events = new List<DeviceEvent>();
        link.Changed += events.Add;
        link.OnMessage("kiosk/v1/mcu-01/event/card", Encoding.UTF8.GetBytes("{garbage"));
        link.OnMessage($"kiosk/v1/mcu-01/reply/{link.ClientId}/0123456789abcdef", [0x00, 0x90, 0x00]); // nobody waits for it
        link.OnMessage($"kiosk/v1/mcu-01/reply/{link.ClientId}/0123456789abcdef", []);
        link.OnMessage($"kiosk/v1/mcu-01/reply/{link.ClientId}", [0x00, 0x90, 0x00]);
        link.OnMessage($"kiosk/v1/mcu-01/reply/{link.ClientId}/a/b", [0x00, 0x90, 0x00]);
        link.OnMessage("kiosk/v1/mcu-01/state/printer", [0xFF, 0xFE]);
        link.OnMessage("kiosk/v1/mcu-02/event/card", """{"event":"placed","protocol":"iso14443-4a"}"""u8.ToArray());
        link.OnMessage("elsewhere", [1, 2, 3]);
        Assert.Empty(events);

        link.OnMessage("kiosk/v1/mcu-01/event/card", """{"event":"placed","protocol":"iso14443-4a"}"""u8.ToArray());
        Assert.True(link.Snapshot.CardPresent);
        Assert.Single(events);
    }
}
