using System;
using System.Security.Cryptography.X509Certificates;
using Kiosk.DeviceContract;
using Kiosk.Firmware.Platform;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace Kiosk.Firmware.Device.Platform
{
    /// <summary>
    /// IMqttLink over nanoFramework.M2Mqtt 5.1.220. Always TLS 1.2 to the broker named in the device settings, and the
    /// broker's certificate must chain to the per-kiosk CA pinned in those settings (broker.ca); no other CA is trusted.
    /// MQTT 3.1.1 unless the settings ask for 5.0. Client id = user name = device id. FirmwareApp drives reconnection by
    /// calling Connect while IsConnected is false; each Connect closes and disposes the previous client (its socket and
    /// worker threads) before it builds a new one, and a client whose connection failed is closed and disposed at once.
    /// Never throws.
    /// </summary>
    public class M2MqttLink : IMqttLink
    {
        /// <summary>Seconds; the broker drops the client (and publishes the will) after 1.5 times this without a packet.</summary>
        private const ushort KeepAliveSeconds = 15;

        private readonly DeviceSettings _settings;
        private readonly ILog _log;
        private readonly object _sync = new object();
        private MqttClient _client;

        public event MqttMessageHandler MessageReceived;

        public M2MqttLink(DeviceSettings settings, ILog log)
        {
            _settings = settings;
            _log = log;
        }

        public bool IsConnected
        {
            get
            {
                MqttClient client = _client;
                try
                {
                    return client != null && client.IsConnected;
                }
                catch (Exception)
                {
                    return false;
                }
            }
        }

        public bool Connect(string willTopic, byte[] willPayload, bool willRetain)
        {
            lock (_sync)
            {
                MqttClient previous = _client;
                _client = null;
                Release(previous, false);

                MqttClient client = null;
                try
                {
                    // The constructor resolves the host name; Connect opens the socket and runs the TLS handshake, which
                    // verifies the broker's certificate against caCert and the host name.
                    client = new MqttClient(_settings.BrokerHost, _settings.BrokerPort, true, new X509Certificate(_settings.BrokerCa), null,
                        MqttSslProtocols.TLSv1_2);
                    // A process-wide M2Mqtt setting, true by default: never connect to an unverified broker.
                    client.Settings.ValidateServerCertificate = true;
                    client.ProtocolVersion = _settings.UseMqtt5 ? MqttProtocolVersion.Version_5 : MqttProtocolVersion.Version_3_1_1;
                    client.MqttMsgPublishReceived += OnPublishReceived;
                    string deviceId = _settings.DeviceId;
                    MqttReasonCode code = client.Connect(deviceId, deviceId, _settings.MqttPassword, willRetain, MqttQoSLevel.AtLeastOnce, true,
                        willTopic, Utf8.Decode(willPayload), true, KeepAliveSeconds);
                    if (code != MqttReasonCode.Success)
                    {
                        _log.Info("mqtt: broker refused the connection (reason " + ((int)code).ToString() + ")");
                        Release(client, false);
                        return false;
                    }
                    _client = client;
                    return true;
                }
                catch (Exception e)
                {
                    // MqttConnectionException wraps the socket or TLS failure (unreachable broker, certificate not the
                    // pinned CA's); the message names no secret.
                    _log.Info("mqtt: connection failed (" + e.GetType().Name + ")");
                    Release(client, false);
                    return false;
                }
            }
        }

        public bool Publish(string topic, byte[] payload, int qos, bool retain)
        {
            MqttClient client = _client;
            if (client == null || !IsConnected) return false;
            try
            {
                client.Publish(topic, payload, null, null, (MqttQoSLevel)qos, retain);
                return true;
            }
            catch (Exception e)
            {
                _log.Info("mqtt: publish failed (" + e.GetType().Name + ")");
                return false;
            }
        }

        public bool Subscribe(string topicFilter, int qos)
        {
            MqttClient client = _client;
            if (client == null || !IsConnected) return false;
            try
            {
                client.Subscribe(new string[] { topicFilter }, new MqttQoSLevel[] { (MqttQoSLevel)qos });
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
            lock (_sync)
            {
                MqttClient client = _client;
                _client = null;
                Release(client, true);
            }
        }

        /// <summary>
        /// Stops the client's events reaching us, sends DISCONNECT when asked and still connected, then closes (socket,
        /// worker threads) and disposes it. Each step on its own: a failing one does not skip the rest.
        /// </summary>
        private void Release(MqttClient client, bool graceful)
        {
            if (client == null) return;
            try
            {
                client.MqttMsgPublishReceived -= OnPublishReceived;
            }
            catch (Exception)
            {
            }
            if (graceful)
            {
                try
                {
                    if (client.IsConnected) client.Disconnect();
                }
                catch (Exception)
                {
                }
            }
            try
            {
                client.Close();
            }
            catch (Exception)
            {
            }
            try
            {
                client.Dispose();
            }
            catch (Exception)
            {
            }
        }

        private void OnPublishReceived(object sender, MqttMsgPublishEventArgs e)
        {
            MqttMessageHandler handler = MessageReceived;
            if (handler == null) return;
            try
            {
                handler(e.Topic, e.Message);
            }
            catch (Exception ex)
            {
                _log.Info("mqtt: message handler failed (" + ex.GetType().Name + ")");
            }
        }
    }
}
