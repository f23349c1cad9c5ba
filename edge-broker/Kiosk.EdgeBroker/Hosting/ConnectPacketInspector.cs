using System.Reflection;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace Kiosk.EdgeBroker.Hosting;

/// <summary>
/// MQTTnet 5.2 does not expose the will topic while a connection is being validated, only the CONNECT packet it
/// wraps (a private field). We read that field so a device with a foreign will is refused at CONNECT. If a future
/// MQTTnet renames the field this returns null and the ACL still stops the will when it is published (wills go
/// through the same publish interceptor); a test pins the behaviour.
/// </summary>
static class ConnectPacketInspector
{
    static readonly FieldInfo? ConnectPacketField =
        typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", BindingFlags.Instance | BindingFlags.NonPublic);

    public static bool CanInspect => ConnectPacketField?.FieldType == typeof(MqttConnectPacket);

    /// <summary>The CONNECT's will topic; null when it has no will or the packet cannot be read.</summary>
    public static string? WillTopic(ValidatingConnectionEventArgs connection)
    {
        if (!CanInspect || ConnectPacketField!.GetValue(connection) is not MqttConnectPacket packet || !packet.WillFlag)
        {
            return null;
        }

        return packet.WillTopic;
    }

    public static bool HasWill(ValidatingConnectionEventArgs connection) =>
        CanInspect && ConnectPacketField!.GetValue(connection) is MqttConnectPacket { WillFlag: true };
}
