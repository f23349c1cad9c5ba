using System.Reflection;
using System.Text.RegularExpressions;
using Kiosk.DeviceContract;
using Kiosk.Firmware.App;
using Kiosk.Tests.Shared;

namespace Firmware.Tests;

/// <summary>
/// docs/mqtt.md's topic table against the contract code (libs/Kiosk.DeviceContract) and what the firmware does with it.
/// The host's side is checked in Host.Tests (DeviceContractTests), the broker's ACL in EdgeBroker.Tests.
/// </summary>
public class MqttContractTests
{
    public static string RepoRoot() => MqttContractDocument.RepoRoot();

    private static string DirectionName(Direction d) => d == Direction.FirmwareToHost ? "firmware → host" : "host → firmware";

    [Fact]
    public void TheDocumentAndTheContractListTheSameTopicsWithTheSameDirectionQosAndRetainedFlag()
    {
        var documented = MqttContractDocument.Topics().Select(t => (t.Pattern, t.Direction, t.Qos, t.Retained)).ToList();
        var coded = Topics.All().Select(s => (s.Pattern, DirectionName(s.Direction), s.Qos, s.Retained)).ToList();
        Assert.Equal(documented, coded);
        Assert.Equal(7, documented.Count); // the table as written today; a new row fails here until it is added to code and doc
    }

    /// <summary>Each public topic method of Topics, called with "{name}" for each parameter, gives its spec's pattern.</summary>
    [Fact]
    public void EveryTopicMethodGivesADocumentedPattern()
    {
        var patterns = Topics.All().Select(s => s.Pattern).ToHashSet();
        var methods = typeof(Topics).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(string) && !m.Name.EndsWith("Filter") && m.GetParameters().All(p => p.ParameterType == typeof(string)))
            .ToList();
        Assert.Equal(7, methods.Count);
        foreach (MethodInfo method in methods)
        {
            string topic = (string)method.Invoke(null, method.GetParameters().Select(p => (object)("{" + p.Name + "}")).ToArray())!;
            Assert.True(patterns.Contains(topic), $"Topics.{method.Name} gives {topic}, not in docs/mqtt.md");
        }
    }

    [Fact]
    public void ParseTakesEveryDocumentedTopicApartAndRefusesNearMisses()
    {
        foreach (TopicSpec spec in Topics.All())
        {
            string topic = spec.Pattern.Replace("{device}", "mcu-01").Replace("{requester}", "host-1").Replace("{id}", "42");
            ParsedTopic parsed = Topics.Parse(topic);
            Assert.NotNull(parsed);
            Assert.Equal(spec.Kind, parsed.Kind);
            Assert.Equal("mcu-01", parsed.Device);
            if (spec.Pattern.Contains("{id}"))
            {
                Assert.Equal("host-1", parsed.Requester);
                Assert.Equal("42", parsed.RequestId);
            }
        }
        foreach (string nearMiss in new[] { "kiosk/v2/mcu-01/status", "kiosk/v1/mcu-01/status/x", "kiosk/v1/mcu-01/cmd/apdu", "kiosk/v1/mcu-01/reply/host-1",
                     "kiosk/v1/mcu+01/status", "kiosk/v1//status", "kiosk/v1/mcu-01/reply/host-1/#", "kiosk/v1/mcu-01/event/door", "" })
            Assert.Null(Topics.Parse(nearMiss));
    }

    [Fact]
    public void TheFirmwarePublishesAndSubscribesAsTheDocumentSays()
    {
        var clock = new FakeClock();
        var mqtt = new FakeMqttLink();
        var reader = new ScriptedPn532(clock, cmd => cmd[0] switch
        {
            0x02 => ScriptedPn532.Answer(0x02, 0x32, 0x01, 0x06, 0x07),
            0x4A when cmd[2] == 0x00 => ScriptedPn532.Answer(0x4A, 0x01, 0x01, 0x00, 0x04, 0x20),
            0x4A => ScriptedPn532.Answer(0x4A, 0x00),
            0x40 => ScriptedPn532.Answer(0x40, 0x00, 0x90, 0x00),
            _ => ScriptedPn532.Answer(cmd[0], 0x00),
        });
        bool finger = false;
        var fingerprint = new ScriptedFingerprint(clock, cmd => cmd[0] == 0x0F ? ScriptedFingerprint.Ack(0x00, new byte[16]) : ScriptedFingerprint.Ack(finger ? (byte)0 : (byte)2));
        var app = new FirmwareApp(new FirmwareOptions { DeviceId = "mcu-01" }, mqtt, reader, fingerprint, new ScriptedPrinter(clock), clock, new ListLog(), new FakeDevicePlatform());
        app.Start();
        for (int i = 0; i < 30; i++) { app.Step(); clock.Sleep(20); }
        finger = true;
        for (int i = 0; i < 30; i++) { app.Step(); clock.Sleep(20); }
        mqtt.Deliver("kiosk/v1/mcu-01/cmd/apdu/host-1/1", Hex.Bytes("00A4040C"));
        mqtt.Deliver("kiosk/v1/mcu-01/cmd/print/host-1/2", [0x1B, 0x40]);
        app.Step();

        var rows = MqttContractDocument.Topics();
        var published = mqtt.Published.Select(m => m.Topic).Distinct().ToList();
        Assert.Equal(6, published.Count); // status, card, finger, printer state, the two replies
        foreach (PublishedMessage message in mqtt.Published)
        {
            DocumentedTopic row = Assert.Single(rows, r => Regex.IsMatch(message.Topic, "^" + Regex.Escape(r.Fill("mcu-01", "host-1", "ID")).Replace("ID", "[A-Za-z0-9-]+") + "$"));
            Assert.True(row.FromFirmware, $"the firmware published on {message.Topic}, a host → firmware topic");
            Assert.Equal(row.Qos, message.Qos);
            Assert.Equal(row.Retained, message.Retain);
        }
        DocumentedTopic status = rows.Single(r => r.Pattern.EndsWith("/status"));
        Assert.Equal(status.Fill("mcu-01"), mqtt.WillTopic);
        Assert.Equal(status.Retained, mqtt.WillRetain);

        // What it subscribes to covers exactly the host → firmware rows.
        string filter = Assert.Single(mqtt.Subscriptions);
        Assert.EndsWith("/#", filter);
        foreach (DocumentedTopic row in rows)
            Assert.Equal(!row.FromFirmware, row.Fill("mcu-01").StartsWith(filter[..^1]));
    }

    [Theory]
    [InlineData("mcu-01", true)]
    [InlineData("MCU7", true)]
    [InlineData("a/b", false)]
    [InlineData("a+", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    public void NamesAreLettersDigitsAndDashes(string name, bool valid)
    {
        Assert.Equal(valid, Topics.IsValidName(name));
    }

    [Fact]
    public void ReplyCodesMatchTheDocument()
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "mqtt.md"));
        foreach (ReplyResult result in Enum.GetValues<ReplyResult>())
        {
            Assert.Matches(new Regex($@"\|\s*{(int)result}\s*\|\s*`{result}`\s*\|"), doc);
            Assert.Equal(result.ToString(), Reply.NameOf(result));
        }
        Assert.Equal(Reply.MaxResultCode, (int)Enum.GetValues<ReplyResult>().Max());
        Assert.Equal("00AB", Hex.Of(Reply.Build(ReplyResult.Ok, new byte[] { 0xAB })));
        Assert.Equal("01", Hex.Of(Reply.Build(ReplyResult.NoCard, new byte[] { 0xAB })));
        Assert.False(Reply.IsWellFormed([]));
        Assert.False(Reply.IsWellFormed([7]));
        Assert.Equal("9000", Hex.Of(Reply.BodyOf([0x00, 0x90, 0x00])));
    }
}
