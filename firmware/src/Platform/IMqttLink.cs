namespace Kiosk.Firmware.Platform
{
    /// <summary>
    /// Called on the MQTT client's own thread for each received message. Keep handlers short: queue the work, do not
    /// touch serial ports. The contract (docs/mqtt.md) needs nothing but the topic and the payload.
    /// </summary>
    public delegate void MqttMessageHandler(string topic, byte[] payload);

    /// <summary>
    /// An MQTT client connection, MQTT 3.1.1 or 5.0 as the device settings say. Implemented with M2Mqtt on the device and
    /// MQTTnet in the virtual MCU, both using only what M2Mqtt can do: connect with a will, publish, subscribe.
    /// </summary>
    public interface IMqttLink
    {
        bool IsConnected { get; }

        /// <summary>Set before Connect; invoked for every message on a subscribed topic.</summary>
        event MqttMessageHandler MessageReceived;

        /// <summary>
        /// Connects (clean session) with a will that the broker publishes, QoS 1, when this client vanishes. A client of an
        /// earlier attempt is closed and disposed first. Blocks at most a few seconds; returns false when the broker cannot
        /// be reached, its certificate is not the pinned CA's, or it refuses the connection. Never throws.
        /// </summary>
        bool Connect(string willTopic, byte[] willPayload, bool willRetain);

        /// <summary>Returns false when the message could not be handed to the client (not connected). Never throws.</summary>
        bool Publish(string topic, byte[] payload, int qos, bool retain);

        bool Subscribe(string topicFilter, int qos);

        /// <summary>Disconnects and releases the client (its socket and thread). Never throws.</summary>
        void Disconnect();
    }
}
