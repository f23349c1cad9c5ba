using System.Text.RegularExpressions;

namespace Kiosk.Tests.Shared;

/// <summary>One row of docs/mqtt.md's topic table, every column but the payload's description.</summary>
public sealed record DocumentedTopic(string Pattern, string Direction, int Qos, bool Retained)
{
    public bool FromFirmware => Direction == "firmware → host";

    /// <summary>The pattern with each {placeholder} replaced (device, requester, id).</summary>
    public string Fill(string device, string requester = "host-1", string id = "0123456789abcdef") =>
        Pattern.Replace("{device}", device).Replace("{requester}", requester).Replace("{id}", id);
}

/// <summary>
/// Reads the contract table of docs/mqtt.md. Linked into the firmware, host and broker test projects, so each side is
/// checked against the same document: the firmware's, the host's and the broker's ACL tests.
/// </summary>
public static class MqttContractDocument
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kiosk.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("repository root (Kiosk.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The rows of the first table whose header starts with "| topic | direction | QoS | retained |".</summary>
    public static IReadOnlyList<DocumentedTopic> Topics()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoRoot(), "docs", "mqtt.md"));
        int header = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^\|\s*topic\s*\|\s*direction\s*\|\s*QoS\s*\|\s*retained\s*\|"));
        if (header < 0) throw new InvalidOperationException("the topic table is not in docs/mqtt.md");
        var rows = new List<DocumentedTopic>();
        for (int i = header + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            Match m = Regex.Match(lines[i], @"^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|\s*([012])\s*\|\s*(yes|no)\s*\|");
            if (!m.Success) throw new InvalidOperationException("a row of the topic table is not topic | direction | QoS | retained: " + lines[i]);
            string direction = m.Groups[2].Value;
            if (direction is not ("firmware → host" or "host → firmware")) throw new InvalidOperationException("unknown direction: " + lines[i]);
            rows.Add(new DocumentedTopic(m.Groups[1].Value, direction, int.Parse(m.Groups[3].Value), m.Groups[4].Value == "yes"));
        }
        return rows;
    }
}
