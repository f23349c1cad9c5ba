using System.Buffers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kiosk.EdgeBroker.Hosting;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.EdgeBroker.Bridge;

/// <summary>What the broker tells the bridge for the health message. Counts only, never contents.</summary>
public sealed record BrokerHealth(TimeSpan Uptime, int ConnectedClients, long CardsPlaced, long CardsRemoved);

/// <summary>
/// The bridge from the edge broker to the central operations MQTT cluster (EMQX/HiveMQ in production, Mosquitto in
/// tests). See edge-broker/README.md, "Bridge to central operations", and docs/mqtt.md.
///
/// - Up: <see cref="Offer"/> is called by the broker for every publish its ACL accepted; only the allow-list of
///   <see cref="BridgeTopics"/> (device status, printer state) is kept, renamed under <c>kiosks/{kioskId}/</c> and
///   appended to the durable <see cref="OutboundQueue"/>. One loop forwards the queue in order (QoS 1, retain as the
///   source, the publisher's message expiry minus the time queued), acknowledging each record after the central
///   PUBACK. Expired records are dropped by the queue, never sent.
/// - After each connect, once the backlog is forwarded, the broker's retained messages on allow-listed topics are
///   republished (retained) so the cluster has the current state even if it lost its own retained messages; a
///   topic the backlog just delivered with the same payload is skipped.
/// - Connection: an MQTTnet 5 client (MQTT 5, clean start) with a retained will <c>bridge/state</c> =
///   <c>{"online":false}</c> and a retained <c>{"online":true}</c> after each connect. MQTTnet 5 has no managed
///   client: the loop reconnects with exponential backoff and checks an idle uplink with <c>TryPingAsync</c>.
/// - Down: only <c>kiosks/{kioskId}/cmd/ping</c>, answered on <c>kiosks/{kioskId}/reply/ping</c>. Nothing from
///   central is ever published on the local broker.
/// Never logs payloads or the password.
/// </summary>
public sealed class CentralOperationsBridge : IAsyncDisposable
{
    public const string QueueFolder = "bridge";
    const int MaxCommandPayloadBytes = 1024;
    const int MaxCorrelationBytes = 64;

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    readonly BridgeOptions _options;
    readonly BrokerLog _log;
    readonly Func<Task<BrokerHealth>> _health;
    readonly Func<Task<IList<MqttApplicationMessage>>> _retainedMessages;
    readonly OutboundQueue _queue;
    readonly IMqttClient _client;
    readonly string? _password;
    readonly X509Certificate2Collection? _ca;
    readonly X509Certificate2? _clientCertificate;
    readonly CancellationTokenSource _stopping = new();
    Task? _loop;
    bool _announcedDown;
    // Set at connect, cleared once the retained state is republished: what the backlog delivered meanwhile (central
    // topic → payload of a retained record), so the republish can skip it. Only the forwarding loop touches it.
    Dictionary<string, byte[]>? _forwardedSinceConnect;
    int _retainedRepublishes;

    /// <param name="retainedMessages">The local broker's current retained messages (all topics; the bridge filters).</param>
    public CentralOperationsBridge(BridgeOptions options, string dataDirectory, BrokerLog log, Func<Task<BrokerHealth>> health,
        Func<Task<IList<MqttApplicationMessage>>> retainedMessages)
    {
        options.Validate();
        _options = options;
        _log = log;
        _health = health;
        _retainedMessages = retainedMessages;
        _password = options.PasswordFile is null ? null : File.ReadAllText(options.PasswordFile).Trim();
        if (options.CaFile is not null)
        {
            // One CA or a bundle (e.g. old and new fleet CA during a rotation).
            _ca = [];
            _ca.ImportFromPemFile(options.CaFile);
            if (_ca.Count == 0)
            {
                throw new ArgumentException("--bridge-ca holds no PEM certificate.");
            }
        }

        _clientCertificate = options.CertificateFile is null
            ? null
            : X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile);
        _queue = new OutboundQueue(Path.Combine(dataDirectory, QueueFolder), options.QueueMaxMessages, options.QueueMaxBytes,
            warning => _log.Warn(warning), options.QueueMaxAge, options.Clock);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnCommandAsync;
    }

    public OutboundQueue Queue => _queue;

    public bool IsConnected => _client.IsConnected;

    public string KioskId => _options.KioskId;

    /// <summary>How many times the retained state was republished completely (once per successful connect).</summary>
    public int RetainedRepublishes => Volatile.Read(ref _retainedRepublishes);

    /// <summary>Starts the forwarding loop; returns at once (the uplink may be down, that is normal).</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The bridge is already started.");
        }

        _log.Info($"bridge to {_options.Url.Scheme}://{_options.Url.Host}:{_options.Port} kiosk={_options.KioskId} queued={_queue.Count} dropped={_queue.Dropped} expired={_queue.Expired}");
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>
    /// Called inline in the broker's publish path for every publish the ACL accepted (wills included). Keeps only
    /// allow-listed topics; never throws into the publish path.
    /// </summary>
    public void Offer(MqttApplicationMessage message)
    {
        string? central = BridgeTopics.MapUpstream(_options.KioskId, message.Topic);
        if (central is null)
        {
            return;
        }

        try
        {
            _queue.Enqueue(central, message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray(), message.Retain,
                message.MessageExpiryInterval);
        }
        catch (IOException exception)
        {
            _log.Warn($"bridge queue: could not append topic={message.Topic}: {exception.Message}");
        }
    }

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            // A clean DISCONNECT suppresses the will, so say "offline" ourselves first.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _client.PublishAsync(StateMessage(online: false), timeout.Token).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                _log.Warn($"bridge: unclean disconnect ({exception.GetType().Name})");
            }
        }

        _log.Info($"bridge stopped queued={_queue.Count} dropped={_queue.Dropped} expired={_queue.Expired}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _client.Dispose();
        _queue.Dispose();
        _stopping.Dispose();
        foreach (X509Certificate2 certificate in _ca ?? [])
        {
            certificate.Dispose();
        }

        _clientCertificate?.Dispose();
    }

    async Task RunAsync(CancellationToken stopping)
    {
        TimeSpan backoff = _options.ReconnectMinDelay;
        DateTime nextHealth = DateTime.MinValue;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await ConnectAsync(stopping).ConfigureAwait(false);
                    backoff = _options.ReconnectMinDelay;
                    nextHealth = DateTime.MinValue;
                }

                await DrainAsync(stopping).ConfigureAwait(false);
                if (_forwardedSinceConnect is not null)
                {
                    // After the backlog, so the newest state wins; anything enqueued meanwhile follows it.
                    await RepublishRetainedAsync(stopping).ConfigureAwait(false);
                }

                if (DateTime.UtcNow >= nextHealth)
                {
                    await PublishHealthAsync(stopping).ConfigureAwait(false);
                    nextHealth = DateTime.UtcNow + _options.HealthInterval;
                }

                TimeSpan untilHealth = nextHealth - DateTime.UtcNow;
                TimeSpan wait = untilHealth < _options.LivenessInterval ? untilHealth : _options.LivenessInterval;
                bool enqueued = await _queue.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stopping).ConfigureAwait(false);
                if (!enqueued && DateTime.UtcNow < nextHealth && !await _client.TryPingAsync(stopping).ConfigureAwait(false))
                {
                    throw new IOException("no answer to PING");
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                if (!_announcedDown)
                {
                    _log.Warn($"bridge uplink down ({exception.GetType().Name}: {exception.Message}); queueing, retrying with backoff");
                    _announcedDown = true;
                }

                await ForgetConnectionAsync().ConfigureAwait(false);
                try
                {
                    // Full jitter between half and all of the backoff, so a fleet does not reconnect in step.
                    double factor = 0.5 + Random.Shared.NextDouble() / 2;
                    await Task.Delay(backoff * factor, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = backoff * 2 < _options.ReconnectMaxDelay ? backoff * 2 : _options.ReconnectMaxDelay;
            }
        }
    }

    async Task ForgetConnectionAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The connection is already gone; the next loop turn connects afresh.
        }
    }

    async Task ConnectAsync(CancellationToken stopping)
    {
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Url.Host, _options.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId($"kiosk-{_options.KioskId}-bridge")
            .WithCleanStart(true)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.OperationTimeout)
            .WithWillTopic(BridgeTopics.BridgeState(_options.KioskId))
            .WithWillPayload(StatePayload(online: false))
            .WithWillContentType("application/json")
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_options.UserName is not null)
        {
            builder = builder.WithCredentials(_options.UserName, _password ?? string.Empty);
        }

        if (_options.UseTls)
        {
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls()
                    .WithTargetHost(_options.Url.Host)
                    .WithCertificateValidationHandler(context => ValidateServerCertificate(context.Certificate, context.SslPolicyErrors));
                if (_clientCertificate is not null)
                {
                    tls.WithClientCertificates([_clientCertificate]);
                }
            });
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.OperationTimeout);
        MqttClientConnectResult result = await _client.ConnectAsync(builder.Build(), timeout.Token).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            // MQTTnet 5 reports a refused CONNACK as a result, not an exception.
            throw new IOException($"central broker refused the connection: {result.ResultCode}");
        }

        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(BridgeTopics.PingCommand(_options.KioskId), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), timeout.Token).ConfigureAwait(false);
        await PublishCheckedAsync(StateMessage(online: true), timeout.Token).ConfigureAwait(false);
        _announcedDown = false;
        _forwardedSinceConnect = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        _log.Info($"bridge connected to {_options.Url.Host}:{_options.Port} kiosk={_options.KioskId} queued={_queue.Count} dropped={_queue.Dropped} expired={_queue.Expired}");
    }

    bool ValidateServerCertificate(X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (_ca is null)
        {
            return errors == SslPolicyErrors.None;
        }

        // Trust exactly the configured CA (the fleet's private CA), not the system store. No online revocation
        // check: a kiosk behind a flaky uplink must not fail TLS because a CRL server is unreachable.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }

    async Task DrainAsync(CancellationToken stopping)
    {
        while (_queue.Peek() is { } next)
        {
            MqttApplicationMessageBuilder message = new MqttApplicationMessageBuilder()
                .WithTopic(next.Topic)
                .WithPayload(next.Payload)
                .WithRetainFlag(next.Retain)
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (next.RemainingExpirySeconds(_options.Clock.GetUtcNow()) is { } remaining)
            {
                message = message.WithMessageExpiryInterval(remaining);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(_options.OperationTimeout);
            await PublishCheckedAsync(message.Build(), timeout.Token).ConfigureAwait(false);
            _queue.Acknowledge(next.Sequence);
            if (next.Retain && _forwardedSinceConnect is not null)
            {
                _forwardedSinceConnect[next.Topic] = next.Payload;
            }
        }
    }

    /// <summary>
    /// Sends the local retained messages of allow-listed topics to central, retained, so a cluster that lost or has
    /// stale retained state gets the current one. Skips a topic whose current payload the backlog delivered since
    /// this connect. If the uplink fails midway, the next connect starts over.
    /// </summary>
    async Task RepublishRetainedAsync(CancellationToken stopping)
    {
        IList<MqttApplicationMessage> retained = await _retainedMessages().ConfigureAwait(false);
        int republished = 0;
        int unchanged = 0;
        foreach (MqttApplicationMessage local in retained)
        {
            string? central = BridgeTopics.MapUpstream(_options.KioskId, local.Topic);
            if (central is null || local.Payload.IsEmpty)
            {
                continue;
            }

            byte[] payload = local.Payload.ToArray();
            if (_forwardedSinceConnect!.TryGetValue(central, out byte[]? forwarded) && forwarded.AsSpan().SequenceEqual(payload))
            {
                unchanged++;
                continue;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(_options.OperationTimeout);
            await PublishCheckedAsync(new MqttApplicationMessageBuilder()
                .WithTopic(central)
                .WithPayload(payload)
                .WithRetainFlag(true)
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), timeout.Token).ConfigureAwait(false);
            republished++;
        }

        _forwardedSinceConnect = null;
        Interlocked.Increment(ref _retainedRepublishes);
        _log.Info($"bridge republished retained={republished} unchanged={unchanged}");
    }

    async Task PublishCheckedAsync(MqttApplicationMessage message, CancellationToken cancellation)
    {
        MqttClientPublishResult result = await _client.PublishAsync(message, cancellation).ConfigureAwait(false);
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            // E.g. NotAuthorized from the cluster's ACL: keep the record and retry later rather than lose it.
            throw new IOException($"central broker refused topic={message.Topic}: {result.ReasonCode}");
        }
    }

    async Task PublishHealthAsync(CancellationToken stopping)
    {
        BrokerHealth health = await _health().ConfigureAwait(false);
        var body = new
        {
            kioskId = _options.KioskId,
            time = DateTimeOffset.UtcNow,
            uptimeSeconds = (long)health.Uptime.TotalSeconds,
            connectedClients = health.ConnectedClients,
            queueLength = _queue.Count,
            queueBytes = _queue.Bytes,
            dropped = _queue.Dropped,
            expired = _queue.Expired,
            cardsPlaced = health.CardsPlaced,
            cardsRemoved = health.CardsRemoved,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.OperationTimeout);
        await PublishCheckedAsync(new MqttApplicationMessageBuilder()
            .WithTopic(BridgeTopics.Health(_options.KioskId))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(body, Json))
            .WithContentType("application/json")
            .WithRetainFlag(true)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), timeout.Token).ConfigureAwait(false);
    }

    MqttApplicationMessage StateMessage(bool online) => new MqttApplicationMessageBuilder()
        .WithTopic(BridgeTopics.BridgeState(_options.KioskId))
        .WithPayload(StatePayload(online))
        .WithContentType("application/json")
        .WithRetainFlag(true)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();

    static byte[] StatePayload(bool online) => online
        ? JsonSerializer.SerializeToUtf8Bytes(new { online = true, since = DateTimeOffset.UtcNow }, Json)
        : "{\"online\":false}"u8.ToArray();

    Task OnCommandAsync(MqttApplicationMessageReceivedEventArgs received)
    {
        MqttApplicationMessage command = received.ApplicationMessage;
        if (command.Topic != BridgeTopics.PingCommand(_options.KioskId))
        {
            // We subscribe to nothing else; a misbehaving cluster gets ignored, never relayed to the local broker.
            _log.Denied($"bridge command topic={Printable(command.Topic)} reason=not an allowed command");
            return Task.CompletedTask;
        }

        // Answer off the receive path (never await a PUBACK inside MQTTnet's message handler).
        byte[] payload = command.Payload.Length <= MaxCommandPayloadBytes ? command.Payload.ToArray() : [];
        bool tooLarge = command.Payload.Length > MaxCommandPayloadBytes;
        byte[]? correlation = command.CorrelationData is { Length: > 0 and <= MaxCorrelationBytes } data ? data : null;
        _ = Task.Run(() => AnswerPingAsync(payload, tooLarge, correlation));
        return Task.CompletedTask;
    }

    async Task AnswerPingAsync(byte[] payload, bool tooLarge, byte[]? correlation)
    {
        try
        {
            string? requestId = null;
            bool valid = !tooLarge && TryReadPing(payload, out requestId);
            if (!valid)
            {
                _log.Denied($"bridge command topic={BridgeTopics.PingCommand(_options.KioskId)} reason=unreadable payload of {(tooLarge ? "over " + MaxCommandPayloadBytes : payload.Length)} bytes");
            }

            BrokerHealth health = await _health().ConfigureAwait(false);
            object body = valid
                ? new { kioskId = _options.KioskId, id = requestId, ok = true, time = DateTimeOffset.UtcNow, uptimeSeconds = (long)health.Uptime.TotalSeconds, queueLength = _queue.Count, dropped = _queue.Dropped, expired = _queue.Expired }
                : new { kioskId = _options.KioskId, id = (string?)null, ok = false, error = "bad-request", time = DateTimeOffset.UtcNow };
            MqttApplicationMessageBuilder reply = new MqttApplicationMessageBuilder()
                .WithTopic(BridgeTopics.PingReply(_options.KioskId))
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(body, Json))
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (correlation is not null)
            {
                reply = reply.WithCorrelationData(correlation);
            }

            using var timeout = new CancellationTokenSource(_options.OperationTimeout);
            await _client.PublishAsync(reply.Build(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _log.Warn($"bridge: ping not answered ({exception.GetType().Name})");
        }
    }

    /// <summary>A ping payload is empty or a JSON object with an optional string "id" (at most 64 characters).</summary>
    internal static bool TryReadPing(byte[] payload, out string? requestId)
    {
        requestId = null;
        if (payload.Length == 0)
        {
            return true;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 4 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (document.RootElement.TryGetProperty("id", out JsonElement id))
            {
                if (id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: <= 64 } text)
                {
                    return false;
                }

                requestId = text;
            }

            return true;
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        string shortened = text.Length > 128 ? text[..128] + "…" : text;
        return string.Concat(shortened.Select(character => char.IsControl(character) || char.IsWhiteSpace(character) ? '?' : character));
    }
}
