using System.Buffers;
using Kiosk.Firmware.Platform;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Firmware.VirtualMcu;

/// <summary>
/// IMqttLink over MQTTnet 5: MQTT 5.0, user name = device id, password read from SECRETS/mqtt-DEVICE.password at each
/// connection attempt (the broker writes it on its first start, possibly after we started). The reconnect loop is the
/// firmware's: FirmwareApp calls Connect again every few seconds while IsConnected is false.
/// </summary>
public sealed class MqttNetLink : IMqttLink, IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(5);

    private readonly IMqttClient _client;
    private readonly string _host;
    private readonly int _port;
    private readonly string _deviceId;
    private readonly string _passwordFile;
    private readonly Action<string> _log;

    public event MqttMessageHandler? MessageReceived;

    public MqttNetLink(string host, int port, string deviceId, string secretsDirectory, Action<string> log)
    {
        _host = host;
        _port = port;
        _deviceId = deviceId;
        _passwordFile = Path.Combine(secretsDirectory, $"mqtt-{deviceId}.password");
        _log = log;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            MqttApplicationMessage message = e.ApplicationMessage;
            MessageReceived?.Invoke(message.Topic, message.Payload.ToArray(), message.ResponseTopic, message.CorrelationData);
            return Task.CompletedTask;
        };
    }

    public bool IsConnected => _client.IsConnected;

    public bool Connect(string willTopic, byte[] willPayload, bool willRetain)
    {
        string password;
        try
        {
            password = File.ReadAllText(_passwordFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log($"mqtt: cannot read {_passwordFile} ({e.GetType().Name})");
            return false;
        }
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer(_host, _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(_deviceId)
            .WithCredentials(_deviceId, password)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(ConnectTimeout)
            .WithWillTopic(willTopic)
            .WithWillPayload(willPayload)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(willRetain)
            .Build();
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            MqttClientConnectResult result = _client.ConnectAsync(options, timeout.Token).GetAwaiter().GetResult();
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                _log($"mqtt: broker refused the connection: {result.ResultCode}");
                return false;
            }
            return true;
        }
        catch (Exception e)
        {
            _log($"mqtt: connection to {_host}:{_port} failed ({e.GetType().Name})");
            return false;
        }
    }

    public bool Publish(string topic, byte[] payload, int qos, bool retain)
    {
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos)
            .WithRetainFlag(retain)
            .Build();
        return Send(message);
    }

    public bool PublishReply(string responseTopic, byte[] payload, byte[] correlationData)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(responseTopic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (correlationData != null) builder = builder.WithCorrelationData(correlationData);
        return Send(builder.Build());
    }

    public bool Subscribe(string topicFilter, int qos)
    {
        try
        {
            MqttClientSubscribeOptions options = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(topicFilter, (MqttQualityOfServiceLevel)qos)
                .Build();
            using var timeout = new CancellationTokenSource(OperationTimeout);
            _client.SubscribeAsync(options, timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e)
        {
            _log($"mqtt: subscribe failed ({e.GetType().Name})");
            return false;
        }
    }

    public void Disconnect()
    {
        try
        {
            using var timeout = new CancellationTokenSource(OperationTimeout);
            _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _log($"mqtt: disconnect failed ({e.GetType().Name})");
        }
    }

    private bool Send(MqttApplicationMessage message)
    {
        if (!_client.IsConnected) return false;
        try
        {
            using var timeout = new CancellationTokenSource(OperationTimeout);
            _client.PublishAsync(message, timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e)
        {
            _log($"mqtt: publish failed ({e.GetType().Name})");
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
