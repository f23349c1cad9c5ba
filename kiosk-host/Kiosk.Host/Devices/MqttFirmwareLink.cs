using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Kiosk.DeviceContract;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Host.Devices;

/// <summary>
/// MQTT client to the edge broker (docs/mqtt.md): subscribes to the device's status, events, printer state and the
/// replies addressed to this host; sends each request on <c>cmd/{command}/{requester}/{id}</c> with a new random id and
/// waits for <c>reply/{requester}/{id}</c>. A reply nobody waits for (late, duplicate, unknown id) is dropped. Reconnects
/// by pinging every few seconds. Payload contents are never logged.
/// </summary>
public sealed class MqttFirmwareLink : BackgroundService, IFirmwareLink
{
    public static readonly TimeSpan ApduTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan PrintTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReconnectEvery = TimeSpan.FromSeconds(3);

    private readonly HostOptions _options;
    private readonly ILogger<MqttFirmwareLink> _log;
    private readonly IMqttClient _client;
    private readonly string _clientId;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FirmwareReply>> _pending = new();
    private readonly Lock _gate = new();
    private bool _warnedNoPassword;
    private DeviceSnapshot _snapshot = new(false, null, false, false, null, null);

    public MqttFirmwareLink(HostOptions options, ILogger<MqttFirmwareLink> log)
    {
        _options = options;
        _log = log;
        _clientId = "host-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            try
            {
                OnMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
            }
            catch (Exception ex)
            {
                _log.LogWarning("Ignored a broker message that could not be handled ({Error})", ex.GetType().Name);
            }
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += e =>
        {
            if (Snapshot.BrokerConnected) _log.LogWarning("Broker connection lost ({Reason})", e.Reason);
            Update(s => s with { BrokerConnected = false }, new DeviceEvent.Broker(false));
            return Task.CompletedTask;
        };
    }

    public string ClientId => _clientId;

    public DeviceSnapshot Snapshot { get { lock (_gate) return _snapshot; } }

    public event Action<DeviceEvent>? Changed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (host, port) = _options.BrokerEndpoint();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await _client.TryPingAsync(stoppingToken))
                    await ConnectAsync(host, port, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _log.LogDebug("Broker connect attempt failed ({Error})", ex.GetType().Name);
            }
            try { await Task.Delay(ReconnectEvery, stoppingToken); } catch (OperationCanceledException) { break; }
        }
        try { if (_client.IsConnected) await _client.DisconnectAsync(); } catch { /* shutting down */ }
    }

    private async Task ConnectAsync(string host, int port, CancellationToken ct)
    {
        var passwordFile = Path.Combine(_options.Secrets, "mqtt-host.password");
        if (!File.Exists(passwordFile))
        {
            if (!_warnedNoPassword) _log.LogWarning("No MQTT password file at {Path}; waiting for it", passwordFile);
            _warnedNoPassword = true;
            return;
        }
        _warnedNoPassword = false;
        var password = (await File.ReadAllTextAsync(passwordFile, ct)).Trim();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(_clientId)
            .WithCredentials("host", password)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        var result = await _client.ConnectAsync(options, ct);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            _log.LogWarning("Broker refused the connection: {Code}", result.ResultCode);
            return;
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var (filter, qos) in DeviceMessages.Subscriptions(_options.Device, _clientId))
            subscribe = subscribe.WithTopicFilter(filter, (MqttQualityOfServiceLevel)qos);
        await _client.SubscribeAsync(subscribe.Build(), ct);
        _log.LogInformation("Connected to the broker at {Host}:{Port} as {ClientId}", host, port, _clientId);
        Update(s => s with { BrokerConnected = true }, new DeviceEvent.Broker(true));
    }

    /// <summary>Handles one incoming message; malformed payloads are logged (without content) and dropped.</summary>
    internal void OnMessage(string topic, byte[] payload)
    {
        ParsedTopic? parsed = Topics.Parse(topic);
        if (parsed is null || parsed.Device != _options.Device)
        {
            _log.LogDebug("Ignored a message on an unknown topic");
            return;
        }
        if (parsed.Kind == TopicKind.Reply)
        {
            var reply = FirmwareReply.Parse(payload);
            if (reply is null || parsed.Requester != _clientId || !_pending.TryRemove(parsed.RequestId, out var waiter))
            {
                _log.LogWarning("Ignored an unexpected or malformed reply ({Bytes} bytes)", payload.Length);
                return;
            }
            waiter.TrySetResult(reply);
            return;
        }
        if (payload.Length == 0) return; // a cleared retained message
        var ev = DeviceMessages.ParseEvent(parsed.Kind, payload);
        if (ev is null)
        {
            _log.LogWarning("Ignored a malformed {Kind} message ({Bytes} bytes)", parsed.Kind, payload.Length);
            return;
        }
        var now = DateTimeOffset.UtcNow;
        Update(s => (ev switch
        {
            DeviceEvent.Status st => s with { Status = st.Value, CardPresent = st.Value.Online && s.CardPresent },
            DeviceEvent.CardPlaced => s with { CardPresent = true },
            DeviceEvent.CardRemoved => s with { CardPresent = false },
            DeviceEvent.FingerPlaced => s with { FingerPresent = true },
            DeviceEvent.FingerRemoved => s with { FingerPresent = false },
            DeviceEvent.Printer p => s with { Printer = p.Value },
            _ => s,
        }) with { LastMessageAt = now }, ev);
    }

    /// <summary>A new request id for every attempt: 16 hex digits of randomness, never reused.</summary>
    private static string NewRequestId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public async Task<FirmwareReply> RequestAsync(TopicKind command, byte[] payload, TimeSpan timeout, CancellationToken ct) =>
        await await SendRequestAsync(command, payload, timeout, ct);

    public async Task<Task<FirmwareReply>> SendRequestAsync(TopicKind command, byte[] payload, TimeSpan timeout, CancellationToken ct)
    {
        if (command is not (TopicKind.ApduCommand or TopicKind.PrintCommand)) throw new ArgumentOutOfRangeException(nameof(command));
        if (!_client.IsConnected) throw new FirmwareUnavailableException("broker not connected");
        var id = NewRequestId();
        var waiter = new TaskCompletionSource<FirmwareReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        try
        {
            TopicSpec spec = Topics.SpecOf(command);
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Command(command, _options.Device, _clientId, id))
                .WithPayload(payload)
                .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)spec.Qos)
                .WithRetainFlag(spec.Retained)
                .Build();
            var published = await _client.PublishAsync(message, ct);
            if (!published.IsSuccess) throw new FirmwareUnavailableException($"publish refused: {published.ReasonCode}");
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        return AwaitReplyAsync(id, waiter, command, timeout, ct);
    }

    private async Task<FirmwareReply> AwaitReplyAsync(string id, TaskCompletionSource<FirmwareReply> waiter, TopicKind command, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timer.CancelAfter(timeout);
            try
            {
                return await waiter.Task.WaitAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new FirmwareUnavailableException($"no reply to {command} within {timeout.TotalSeconds:0.#} s");
            }
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private void Update(Func<DeviceSnapshot, DeviceSnapshot> change, DeviceEvent ev)
    {
        lock (_gate) _snapshot = change(_snapshot);
        try { Changed?.Invoke(ev); }
        catch (Exception ex) { _log.LogError("A device event handler failed ({Error})", ex.GetType().Name); }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }
}
