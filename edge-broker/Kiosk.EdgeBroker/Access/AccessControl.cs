using Kiosk.DeviceContract;
using Kiosk.EdgeBroker.Users;

namespace Kiosk.EdgeBroker.Access;

/// <summary>What one user may publish to and subscribe to: topic filters, already filled in with the user's name.</summary>
public sealed record AccessGrant(IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe);

/// <summary>
/// The broker's ACL (docs/mqtt.md): pure functions from (user, topic) to allowed/denied. Anything not granted is denied.
/// The topics come from the device contract (libs/Kiosk.DeviceContract), the same code the firmware and the host use.
/// </summary>
public static class AccessControl
{
    public const string TopicRoot = Topics.Root;

    /// <summary>The grants for one user. A device's grants name that device, so it cannot reach another's topics.</summary>
    public static AccessGrant GrantFor(BrokerUser user) => user.Role switch
    {
        // What the contract's firmware → host rows allow a device to publish; it hears only its own commands.
        UserRole.Device => new AccessGrant(
            Publish:
            [
                Topics.Status(user.Name),
                Topics.EventsFilter(user.Name),
                Topics.StatesFilter(user.Name),
                Topics.RepliesFilter(user.Name),
            ],
            Subscribe: [Topics.CommandsFilter(user.Name)]),
        UserRole.Host => new AccessGrant(
            Publish: [Topics.CommandsFilter(TopicRules.SingleLevelWildcard)],
            Subscribe: [Topics.EverythingFilter()]),
        // The central-operations bridge (Bridge/): fleet telemetry only, read-only; the outer bound of its allow-list.
        UserRole.Bridge => new AccessGrant(
            Publish: [],
            Subscribe: [Topics.Status(TopicRules.SingleLevelWildcard), Topics.StatesFilter(TopicRules.SingleLevelWildcard)]),
        _ => new AccessGrant([], []),
    };

    public static bool CanPublish(BrokerUser user, string? topic)
    {
        if (!TopicRules.IsValidTopicName(topic))
        {
            return false;
        }

        foreach (string allowed in GrantFor(user).Publish)
        {
            if (TopicRules.Matches(allowed, topic!))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A subscription is allowed when the filter lies entirely within one granted filter.</summary>
    public static bool CanSubscribe(BrokerUser user, string? filter)
    {
        if (!TopicRules.IsValidFilter(filter))
        {
            return false;
        }

        foreach (string allowed in GrantFor(user).Subscribe)
        {
            if (TopicRules.IsWithin(filter!, allowed))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The will set at connect. A device's will may only be its own status topic (the host relies on it to learn the
    /// device is gone); anyone else's will must at least be a topic they could publish to.
    /// </summary>
    public static bool CanSetWill(BrokerUser user, string? willTopic) => user.Role == UserRole.Device
        ? willTopic == Topics.Status(user.Name)
        : CanPublish(user, willTopic);
}
