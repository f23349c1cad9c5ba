namespace Kiosk.EdgeBroker.Bridge;

/// <summary>
/// PLACEHOLDER — the bridge to the central operations MQTT cluster (EMQX/HiveMQ in production, Mosquitto in tests).
/// Not built yet; a later issue. See edge-broker/README.md, section "Bridge to central operations".
///
/// Intended shape, so the rest of the broker does not need to change when it lands:
/// - it runs inside the broker process as an MQTTnet client to the central cluster (TLS, client certificate per
///   kiosk), started and stopped by <see cref="EdgeBroker"/> after the local server;
/// - locally it reads through the broker's ACL as a user with role <c>bridge</c>
///   (<see cref="Users.UserRole.Bridge"/>: subscribe to kiosk/v1/+/status and kiosk/v1/+/state/#, publish nothing),
///   so it can never carry card APDUs or print jobs off the kiosk;
/// - upstream it republishes under a per-kiosk prefix and keeps its own bounded queue while the uplink is down.
/// </summary>
public sealed class CentralOperationsBridge
{
    /// <summary>False until the bridge exists; <see cref="EdgeBroker"/> does not start anything for it.</summary>
    public static bool IsImplemented => false;
}
