using Kiosk.EdgeBroker.Access;
using Kiosk.EdgeBroker.Users;

namespace Kiosk.EdgeBroker.Bridge;

/// <summary>
/// What crosses the bridge, as pure functions. Up: an explicit allow-list of local topics (device status and printer
/// state), renamed under <c>kiosks/{kioskId}/</c>. Down: only <c>kiosks/{kioskId}/cmd/ping</c>. Everything else —
/// commands, replies (APDUs), card and finger events, print jobs — never leaves the kiosk.
/// </summary>
public static class BridgeTopics
{
    public const string CentralRoot = "kiosks";

    /// <summary>Local topics the bridge forwards. Narrower than the bridge role's ACL grant (state/# there).</summary>
    public static readonly IReadOnlyList<string> UpstreamAllowList =
    [
        $"{AccessControl.TopicRoot}/+/status",
        $"{AccessControl.TopicRoot}/+/state/printer",
    ];

    static readonly BrokerUser BridgeUser = new("bridge", UserRole.Bridge);

    /// <summary>The central topic for a local one, or null when the local topic must stay on the kiosk.</summary>
    public static string? MapUpstream(string kioskId, string? localTopic)
    {
        if (!TopicRules.IsValidTopicName(localTopic) || !AccessControl.CanSubscribe(BridgeUser, localTopic))
        {
            // Defence in depth: also inside the ACL's bridge grant, whatever the allow-list says.
            return null;
        }

        bool allowed = false;
        foreach (string filter in UpstreamAllowList)
        {
            allowed |= TopicRules.Matches(filter, localTopic!);
        }

        if (!allowed)
        {
            return null;
        }

        // kiosk/v1/{device}/... → kiosks/{kioskId}/v1/{device}/...
        string device = localTopic!.Split(TopicRules.LevelSeparator)[2];
        if (!BrokerUser.IsValidName(device))
        {
            return null;
        }

        return $"{CentralRoot}/{kioskId}/{localTopic["kiosk/".Length..]}";
    }

    public static string BridgeState(string kioskId) => $"{CentralRoot}/{kioskId}/bridge/state";

    public static string Health(string kioskId) => $"{CentralRoot}/{kioskId}/bridge/health";

    public static string PingCommand(string kioskId) => $"{CentralRoot}/{kioskId}/cmd/ping";

    public static string PingReply(string kioskId) => $"{CentralRoot}/{kioskId}/reply/ping";
}
