using System;
using Kiosk.Firmware.Platform;
using Kiosk.Firmware.Text;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace Kiosk.Firmware.Device.Platform
{
    /// <summary>
    /// IMqttLink over nanoFramework.M2Mqtt with MQTT 5 (ProtocolVersion = Version_5). User name = device id.
    /// FirmwareApp drives reconnection by calling Connect while IsConnected is false; each Connect builds a new client.
    /// </summary>
    public class M2MqttLink : IMqttLink
    {
        private readonly string _host;
        private readonly int _port;
        private readonly string _deviceId;
        private readonly string _password;
        private readonly ILog _log;
        private MqttClient _client;

        public event MqttMessageHandler MessageReceived;

        public M2MqttLink(string host, int port, string deviceId, string password, ILog log)
        {
            _host = host;
            _port = port;
            _deviceId = deviceId;
            _password = password;
            _log = log;
        }

        public bool IsConnected
        {
            get { return _client != null && _client.IsConnected; }
        }

        public bool Connect(string willTopic, byte[] willPayload, bool willRetain)
        {
            try
            {
                if (_client != null)
                {
                    _client.MqttMsgPublishReceived -= OnPublishReceived;
                    _client = null;
                }
                MqttClient client = new MqttClient(_host, _port, false, null, null, MqttSslProtocols.None);
                client.ProtocolVersion = MqttProtocolVersion.Version_5;
                client.MqttMsgPublishReceived += OnPublishReceived;
                MqttReasonCode code = client.Connect(_deviceId, _deviceId, _password, willRetain, MqttQoSLevel.AtLeastOnce, true,
                    willTopic, Utf8.Decode(willPayload), true, 15);
                if (code != MqttReasonCode.Success)
                {
                    _log.Info("mqtt: broker refused the connection");
                    return false;
                }
                _client = client;
                return true;
            }
            catch (Exception e)
            {
                _log.Info("mqtt: connection failed (" + e.GetType().Name + ")");
                return false;
            }
        }

        public bool Publish(string topic, byte[] payload, int qos, bool retain)
        {
            if (!IsConnected) return false;
            try
            {
                _client.Publish(topic, payload, null, null, (MqttQoSLevel)qos, retain);
                return true;
            }
            catch (Exception e)
            {
                _log.Info("mqtt: publish failed (" + e.GetType().Name + ")");
                return false;
            }
        }

        public bool PublishReply(string responseTopic, byte[] payload, byte[] correlationData)
        {
            if (!IsConnected) return false;
            try
            {
                // TO VERIFY on the device build: the documented Publish overloads take content type and user properties but
                // not correlation data. MqttMsgPublish carries CorrelationData; if MqttClient exposes no way to send a
                // prepared MqttMsgPublish, M2Mqtt needs a small overload (Publish(topic, message, contentType,
                // userProperties, qos, retain) plus correlation data) before replies can be matched by the host.
                _client.Publish(responseTopic, payload, null, null, MqttQoSLevel.AtLeastOnce, false);
                return true;
            }
            catch (Exception e)
            {
                _log.Info("mqtt: reply failed (" + e.GetType().Name + ")");
                return false;
            }
        }

        public bool Subscribe(string topicFilter, int qos)
        {
            if (!IsConnected) return false;
            try
            {
                _client.Subscribe(new string[] { topicFilter }, new MqttQoSLevel[] { (MqttQoSLevel)qos });
                return true;
            }
            catch (Exception e)
            {
                _log.Info("mqtt: subscribe failed (" + e.GetType().Name + ")");
                return false;
            }
        }

        public void Disconnect()
        {
            try
            {
                if (_client != null) _client.Disconnect();
            }
            catch (Exception)
            {
            }
        }

        private void OnPublishReceived(object sender, MqttMsgPublishEventArgs e)
        {
            MqttMessageHandler handler = MessageReceived;
            if (handler == null) return;
            // MQTT 5 request/response properties of the received PUBLISH (see the note in PublishReply).
            handler(e.Topic, e.Message, e.ResponseTopic, e.CorrelationData);
        }
    }
}
