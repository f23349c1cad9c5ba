using System.Buffers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Kiosk.DeviceContract;
using Kiosk.Firmware.Platform;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Firmware.VirtualMcu;

/// <summary>
/// IMqttLink over MQTTnet 5 that does what the ESP32's M2Mqtt client does, nothing more: TLS to the edge broker with its
/// certificate checked against the pinned per-kiosk CA of the device settings, user name = client id = device id, a
/// will, publish and subscribe; MQTT 3.1.1 unless the settings ask for 5.0. No MQTT 5 property is used. The reconnect
/// loop is the firmware's: FirmwareApp calls Connect again (with backoff) while IsConnected is false, and every attempt
/// starts from a new client, the old one disposed. Publish queues the message and returns, as M2Mqtt's does; one sender
/// per connection sends the queue in order.
/// </summary>
public sealed class MqttNetLink : IMqttLink, IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(5);
    /// <summary>Messages waiting to be sent on one connection (M2Mqtt's in-flight queue holds a similar handful).</summary>
    private const int OutboxCapacity = 64;

    private readonly DeviceSettings _settings;
    private readonly X509Certificate2 _pinnedCa;
    private readonly Action<string> _log;
    private IMqttClient? _client;
    private System.Threading.Channels.Channel<MqttApplicationMessage>? _outbox;
    private Task _sender = Task.CompletedTask;

    public event MqttMessageHandler? MessageReceived;

    public MqttNetLink(DeviceSettings settings, Action<string> log)
    {
        _settings = settings;
        _pinnedCa = X509CertificateLoader.LoadCertificate(settings.BrokerCa);
        _log = log;
    }

    public bool IsConnected => _client?.IsConnected == true;

    public bool Connect(string willTopic, byte[] willPayload, bool willRetain)
    {
        ReleaseClient();
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            MessageReceived?.Invoke(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer(_settings.BrokerHost, _settings.BrokerPort)
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost(_settings.BrokerHost)
                .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
                .WithCertificateValidationHandler(e => PinnedCa.Accepts(e.Certificate, e.SslPolicyErrors, _pinnedCa)))
            .WithProtocolVersion(_settings.UseMqtt5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithClientId(_settings.DeviceId)
            .WithCredentials(_settings.DeviceId, _settings.MqttPassword)
            .WithCleanSession(true)
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
            MqttClientConnectResult result = client.ConnectAsync(options, timeout.Token).GetAwaiter().GetResult();
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                _log($"mqtt: broker refused the connection: {result.ResultCode}");
                client.Dispose();
                return false;
            }
            var outbox = System.Threading.Channels.Channel.CreateBounded<MqttApplicationMessage>(
                new System.Threading.Channels.BoundedChannelOptions(OutboxCapacity) { SingleReader = true, FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait });
            _outbox = outbox;
            _client = client;
            _sender = Task.Run(() => SendAllAsync(client, outbox.Reader));
            return true;
        }
        catch (Exception e)
        {
            _log($"mqtt: connection to {_settings.BrokerHost}:{_settings.BrokerPort} failed ({e.GetType().Name})");
            client.Dispose();
            return false;
        }
    }

    /// <summary>Queues the message for this connection's sender; false when not connected or the queue stays full.</summary>
    public bool Publish(string topic, byte[] payload, int qos, bool retain)
    {
        IMqttClient? client = _client;
        var outbox = _outbox;
        if (client is null || outbox is null || !client.IsConnected) return false;
        MqttApplicationMessage message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos)
            .WithRetainFlag(retain)
            .Build();
        if (outbox.Writer.TryWrite(message)) return true;
        // Full: the broker is slow. Wait a little, as M2Mqtt's in-flight queue makes its caller wait.
        using var timeout = new CancellationTokenSource(OperationTimeout);
        try
        {
            outbox.Writer.WriteAsync(message, timeout.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            _log("mqtt: publish dropped (send queue full or closed)");
            return false;
        }
    }

    private async Task SendAllAsync(IMqttClient client, System.Threading.Channels.ChannelReader<MqttApplicationMessage> queue)
    {
        await foreach (MqttApplicationMessage message in queue.ReadAllAsync())
        {
            try
            {
                using var timeout = new CancellationTokenSource(OperationTimeout);
                await client.PublishAsync(message, timeout.Token);
            }
            catch (Exception e)
            {
                _log($"mqtt: publish failed ({e.GetType().Name})");
            }
        }
    }

    public bool Subscribe(string topicFilter, int qos)
    {
        IMqttClient? client = _client;
        if (client is null || !client.IsConnected) return false;
        try
        {
            MqttClientSubscribeOptions options = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(topicFilter, (MqttQualityOfServiceLevel)qos)
                .Build();
            using var timeout = new CancellationTokenSource(OperationTimeout);
            client.SubscribeAsync(options, timeout.Token).GetAwaiter().GetResult();
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
        IMqttClient? client = _client;
        if (client is not null && client.IsConnected)
        {
            try
            {
                // What was queued goes out first (a clean stop publishes nothing after this, but its last status counts).
                _outbox?.Writer.TryComplete();
                _sender.Wait(OperationTimeout);
                using var timeout = new CancellationTokenSource(OperationTimeout);
                client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), timeout.Token).GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                _log($"mqtt: disconnect failed ({e.GetType().Name})");
            }
        }
        ReleaseClient();
    }

    private void ReleaseClient()
    {
        Interlocked.Exchange(ref _outbox, null)?.Writer.TryComplete();
        IMqttClient? old = Interlocked.Exchange(ref _client, null);
        old?.Dispose();
    }

    public void Dispose()
    {
        ReleaseClient();
        _pinnedCa.Dispose();
    }
}

/// <summary>The device's check of the broker's certificate: the host name matches and the chain ends at the pinned CA.</summary>
public static class PinnedCa
{
    public static bool Accepts(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2 pinnedCa)
    {
        // A missing certificate or a name that does not match fails whatever the chain; chain errors are expected (the
        // CA is in no system store) and decided below against the pinned CA alone.
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return false;
        using var certificate = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(pinnedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
