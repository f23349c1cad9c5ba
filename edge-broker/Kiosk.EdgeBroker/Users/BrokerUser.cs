using System.Text.RegularExpressions;

namespace Kiosk.EdgeBroker.Users;

public enum UserRole
{
    /// <summary>The kiosk host: sends commands to every device, reads everything under kiosk/v1.</summary>
    Host,

    /// <summary>A firmware instance (ESP32 or virtual MCU); its user name is its device id and its client id.</summary>
    Device,

    /// <summary>The bridge to the central operations cluster. The bridge runs inside the broker process and needs no
    /// login; its grant (read-only status and state) is the outer bound its allow-list is checked against.</summary>
    Bridge,
}

/// <summary>Who a connected client is, as far as the ACL is concerned.</summary>
public sealed partial record BrokerUser(string Name, UserRole Role)
{
    /// <summary>docs/mqtt.md: a device id is letters, digits and '-' only; user names follow the same rule because a
    /// device's name becomes a topic level and a secrets file name.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex NamePattern();
}
