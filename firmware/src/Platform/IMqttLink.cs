namespace Kiosk.Firmware.Platform
{
    /// <summary>
    /// Called on the MQTT client's own thread for each received message. responseTopic and correlationData are the
    /// MQTT 5 properties (null when the sender set none). Keep handlers short: queue the work, do not touch serial ports.
    /// </summary>
    public delegate void MqttMessageHandler(string topic, byte[] payload, string responseTopic, byte[] correlationData);

    /// <summary>An MQTT 5 client connection. Implemented with M2Mqtt on the device and MQTTnet in the virtual MCU.</summary>
    public interface IMqttLink
    {
        bool IsConnected { get; }

        /// <summary>Set before Connect; invoked for every message on a subscribed topic.</summary>
        event MqttMessageHandler MessageReceived;

        /// <summary>
        /// Connects (clean start) with a will that the broker publishes, QoS 1, when this client vanishes. Blocks at most a
        /// few seconds; returns false when the broker cannot be reached or refuses the connection. Never throws.
        /// </summary>
        bool Connect(string willTopic, byte[] willPayload, bool willRetain);

        /// <summary>Returns false when the message could not be handed to the client (not connected). Never throws.</summary>
        bool Publish(string topic, byte[] payload, int qos, bool retain);

        /// <summary>Publishes a reply, QoS 1, not retained, carrying the request's MQTT 5 correlation data.</summary>
        bool PublishReply(string responseTopic, byte[] payload, byte[] correlationData);

        bool Subscribe(string topicFilter, int qos);

        void Disconnect();
    }
}
