using System.Reflection;
using System.Text.RegularExpressions;
using Kiosk.Firmware.Mqtt;

namespace Firmware.Tests;

/// <summary>docs/mqtt.md's topic table and firmware/src/Mqtt/Topics.cs must list the same topics.</summary>
public class MqttContractTests
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kiosk.sln")) || File.Exists(Path.Combine(dir.FullName, "docs", "mqtt.md")))
                return dir.FullName;
        }
        throw new InvalidOperationException("repository root (Kiosk.sln or docs/mqtt.md) not found above " + AppContext.BaseDirectory);
    }

    private static List<string> DocumentedTopics()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoRoot(), "docs", "mqtt.md"));
        int header = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^\|\s*topic\s*\|"));
        Assert.True(header >= 0, "topic table not found in docs/mqtt.md");
        var topics = new List<string>();
        for (int i = header + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            Match m = Regex.Match(lines[i], @"^\|\s*`([^`]+)`");
            Assert.True(m.Success, "row without a topic: " + lines[i]);
            topics.Add(m.Groups[1].Value);
        }
        return topics;
    }

    /// <summary>Each public string method of Topics, called with "{name}" for each parameter, gives its topic pattern.</summary>
    private static Dictionary<string, string> TopicPatterns(bool filters)
    {
        return typeof(Topics).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(string) && m.GetParameters().All(p => p.ParameterType == typeof(string)))
            .Where(m => m.Name.EndsWith("Filter") == filters)
            .ToDictionary(m => m.Name, m => (string)m.Invoke(null, m.GetParameters().Select(p => (object)("{" + p.Name + "}")).ToArray())!);
    }

    [Fact]
    public void EveryDocumentedTopicIsProducedByTopics()
    {
        var produced = TopicPatterns(false).Values.ToHashSet();
        List<string> documented = DocumentedTopics();
        Assert.Equal(7, documented.Count);
        foreach (string topic in documented) Assert.Contains(topic, produced);
    }

    [Fact]
    public void EveryTopicTopicsProducesIsDocumented()
    {
        var documented = DocumentedTopics().ToHashSet();
        foreach (var (method, topic) in TopicPatterns(false)) Assert.True(documented.Contains(topic), $"Topics.{method} gives {topic}, not in docs/mqtt.md");
    }

    [Fact]
    public void SubscriptionFilterMatchesExactlyTheDocumentedCommands()
    {
        string filter = TopicPatterns(true).Single().Value;
        Assert.EndsWith("/#", filter);
        string prefix = filter[..^1];
        var commands = DocumentedTopics().Where(t => t.StartsWith(prefix)).ToList();
        Assert.Equal(new[] { Topics.ApduCommand("{device}"), Topics.PrintCommand("{device}") }.OrderBy(t => t), commands.OrderBy(t => t));
    }

    [Theory]
    [InlineData("mcu-01", true)]
    [InlineData("MCU7", true)]
    [InlineData("a/b", false)]
    [InlineData("a+", false)]
    [InlineData("", false)]
    public void DeviceIdsAreLettersDigitsAndDashes(string device, bool valid)
    {
        Assert.Equal(valid, Topics.IsValidDeviceId(device));
    }

    [Fact]
    public void ReplyTopicMustBeOurOwn()
    {
        Assert.True(Topics.IsReplyTopicOf("mcu-01", "kiosk/v1/mcu-01/reply/host"));
        Assert.False(Topics.IsReplyTopicOf("mcu-01", "kiosk/v1/mcu-02/reply/host"));
        Assert.False(Topics.IsReplyTopicOf("mcu-01", "kiosk/v1/mcu-01/reply/"));
        Assert.False(Topics.IsReplyTopicOf("mcu-01", "kiosk/v1/mcu-01/reply/#"));
        Assert.False(Topics.IsReplyTopicOf("mcu-01", null!));
    }

    [Fact]
    public void ReplyCodesMatchTheDocument()
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "mqtt.md"));
        foreach (ReplyResult result in Enum.GetValues<ReplyResult>())
            Assert.Matches(new Regex($@"\|\s*{(int)result}\s*\|\s*`{result}`\s*\|"), doc);
        Assert.Equal("00AB", Hex.Of(Reply.Build(ReplyResult.Ok, new byte[] { 0xAB })));
        Assert.Equal("01", Hex.Of(Reply.Build(ReplyResult.NoCard, new byte[] { 0xAB })));
    }
}
