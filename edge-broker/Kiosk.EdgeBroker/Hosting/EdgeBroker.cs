using System.Net;
using System.Net.Sockets;
using System.Diagnostics;
using System.Security.Authentication;
using System.Text.Json;
using Kiosk.EdgeBroker.Access;
using Kiosk.EdgeBroker.Bridge;
using Kiosk.EdgeBroker.Persistence;
using Kiosk.EdgeBroker.Tls;
using Kiosk.EdgeBroker.Users;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Kiosk.EdgeBroker.Hosting;

/// <summary>
/// The kiosk's edge MQTT broker: an MQTTnet server with users (users.json), the topic ACL of docs/mqtt.md and
/// retained messages that survive a restart. Two listeners: plain MQTT on loopback (the processes on the Pi) and TLS
/// with the kiosk's own CA (the devices). Start it in-process (tests) or through Program (the exe).
/// </summary>
public sealed class EdgeBroker : IAsyncDisposable
{
    // Where the authenticated user is kept for the lifetime of a connection (MQTTnet's per-session item bag).
    const string SessionUserKey = "kiosk.user";

    readonly EdgeBrokerOptions _options;
    readonly BrokerLog _log;
    readonly UserStore _users;
    RetainedMessageStore? _retained;
    MqttServer? _server;
    CentralOperationsBridge? _bridge;
    Stopwatch _uptime = new();
    long _cardsPlaced;
    long _cardsRemoved;

    public EdgeBroker(EdgeBrokerOptions options, TextWriter? log = null)
    {
        options.Validate();
        _options = options;
        _log = new BrokerLog(log ?? Console.Out);
        _users = new UserStore(options.DataDirectory, options.SecretsDirectory);
    }

    /// <summary>The port actually listened on (useful when the options asked for 0).</summary>
    public int Port { get; private set; }

    /// <summary>The TLS listener's port actually listened on (useful when the options asked for 0).</summary>
    public int TlsPort { get; private set; }

    /// <summary>The name or address the devices reach the TLS listener by (in its certificate and the device files).</summary>
    public string TlsHost => _options.DeviceHost();

    public UserStore Users => _users;

    /// <summary>The bridge to central operations while the broker runs with one; otherwise null.</summary>
    public CentralOperationsBridge? Bridge => _bridge;

    public async Task StartAsync()
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("The broker is already started.");
        }

        Directory.CreateDirectory(_options.DataDirectory);
        // Users and their secret files exist before the port opens, so a client that can connect can also log in.
        foreach (string created in _users.EnsureProvisioned())
        {
            _log.Info($"provisioned user={created} secret={_users.SecretPath(created)}");
        }

        if (!ConnectPacketInspector.CanInspect)
        {
            _log.Warn("this MQTTnet version hides the CONNECT packet: wills are checked only when published");
        }

        // Like the passwords, the CA, the server certificate and the device files exist before the ports open: a
        // launcher that sees the TLS port accept can hand the device its file.
        var certificates = new BrokerCertificates(_options.SecretsDirectory, TlsHost, _options.Clock, _log);
        certificates.EnsureReady();
        (Port, TlsPort) = PickPorts();
        DeviceConfigurationFiles.WriteAll(_users, _options.SecretsDirectory, TlsHost, TlsPort, certificates.CaCertificateDer, _log);

        _retained = new RetainedMessageStore(_options.DataDirectory, _options.RetainedWriteDelay,
            exception => _log.Warn($"could not write {RetainedMessageStore.FileName}: {exception.Message}"));

        if (_options.Bridge is not null)
        {
            // The queue is open before the first publish can arrive, so nothing allow-listed is missed.
            _bridge = new CentralOperationsBridge(_options.Bridge, _options.DataDirectory, _log, HealthAsync, RetainedMessagesAsync);
        }

        MqttServerOptionsBuilder builder = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(Port)
            .WithDefaultCommunicationTimeout(_options.ConnectTimeout)
            .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage)
            .WithKeepAlive()
            .WithPersistentSessions(false)
            .WithEncryptedEndpoint()
            .WithEncryptedEndpointPort(TlsPort)
            .WithEncryptionCertificate(certificates)
            .WithEncryptionSslProtocol(SslProtocols.Tls12 | SslProtocols.Tls13);
        builder = _options.BindAddress.AddressFamily == AddressFamily.InterNetworkV6
            ? builder.WithDefaultEndpointBoundIPV6Address(_options.BindAddress).WithDefaultEndpointBoundIPAddress(IPAddress.None)
            : builder.WithDefaultEndpointBoundIPAddress(_options.BindAddress).WithDefaultEndpointBoundIPV6Address(IPAddress.None);
        builder = _options.TlsBindAddress.AddressFamily == AddressFamily.InterNetworkV6
            ? builder.WithEncryptedEndpointBoundIPV6Address(_options.TlsBindAddress).WithEncryptedEndpointBoundIPAddress(IPAddress.None)
            : builder.WithEncryptedEndpointBoundIPAddress(_options.TlsBindAddress).WithEncryptedEndpointBoundIPV6Address(IPAddress.None);

        MqttServer server = new MqttServerFactory().CreateMqttServer(builder.Build());
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.ClientConnectedAsync += OnClientConnectedAsync;
        server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.InterceptingOutboundPacketAsync += AnnounceLimitsAsync;
        server.ApplicationMessageEnqueuedOrDroppedAsync += OnEnqueuedOrDroppedAsync;
        server.LoadingRetainedMessageAsync += LoadRetainedAsync;
        server.RetainedMessageChangedAsync += OnRetainedChangedAsync;
        server.RetainedMessagesClearedAsync += OnRetainedClearedAsync;

        try
        {
            await server.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            // E.g. the TLS port is taken: close the plain listener that may already be open, too.
            server.Dispose();
            throw;
        }

        _server = server;
        _uptime = Stopwatch.StartNew();
        _bridge?.Start();
        // The exact text is read by the end-to-end tests and the demo launcher: keep "listening on HOST:PORT", and
        // keep it the first of the two lines (a reader that takes the first "listening on" gets the plain port).
        _log.Info($"Kiosk.EdgeBroker listening on {_options.BindAddress}:{Port} data={_options.DataDirectory}");
        _log.Info($"Kiosk.EdgeBroker tls listening on {_options.TlsBindAddress}:{TlsPort} host={TlsHost} ca={certificates.CaCertificatePath}");
    }

    public async Task StopAsync()
    {
        MqttServer? server = Interlocked.Exchange(ref _server, null);
        if (server is not null)
        {
            await server.StopAsync().ConfigureAwait(false);
            server.Dispose();
            _log.Info("stopped");
        }

        // After the server: no publish can reach the queue any more. Publishes "offline" and disconnects.
        CentralOperationsBridge? bridge = Interlocked.Exchange(ref _bridge, null);
        if (bridge is not null)
        {
            await bridge.DisposeAsync().ConfigureAwait(false);
        }

        RetainedMessageStore? retained = Interlocked.Exchange(ref _retained, null);
        if (retained is not null)
        {
            await retained.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    Task ValidateConnectionAsync(ValidatingConnectionEventArgs connection)
    {
        string client = Printable(connection.ClientId);
        string userName = Printable(connection.UserName);

        CredentialCheck check = _users.Check(connection.UserName, connection.RawPassword, out BrokerUser? user);
        if (check != CredentialCheck.Valid || user is null)
        {
            connection.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            _log.Denied($"connect client={client} user={userName} endpoint={connection.RemoteEndPoint} reason={check}");
            return Task.CompletedTask;
        }

        if (user.Role == UserRole.Device && connection.ClientId != user.Name)
        {
            connection.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            _log.Denied($"connect client={client} user={userName} reason=device client id must equal its user name");
            return Task.CompletedTask;
        }

        if (ConnectPacketInspector.HasWill(connection))
        {
            string? willTopic = ConnectPacketInspector.WillTopic(connection);
            if (!AccessControl.CanSetWill(user, willTopic))
            {
                connection.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                _log.Denied($"connect client={client} user={userName} will={Printable(willTopic)} reason=will topic not allowed");
                return Task.CompletedTask;
            }
        }

        connection.SessionItems[SessionUserKey] = user;
        return Task.CompletedTask;
    }

    Task OnClientConnectedAsync(ClientConnectedEventArgs connected)
    {
        _log.Info($"connected client={Printable(connected.ClientId)} user={Printable(connected.UserName)} endpoint={connected.RemoteEndPoint} protocol={connected.ProtocolVersion}");
        return Task.CompletedTask;
    }

    Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs disconnected)
    {
        string user = UserOf(disconnected.SessionItems)?.Name ?? "?";
        _log.Info($"disconnected client={Printable(disconnected.ClientId)} user={user} type={disconnected.DisconnectType}");
        return Task.CompletedTask;
    }

    Task InterceptPublishAsync(InterceptingPublishEventArgs publish)
    {
        BrokerUser? user = UserOf(publish.SessionItems);
        string topic = publish.ApplicationMessage.Topic;

        if (publish.ApplicationMessage.Payload.Length > _options.MaxPayloadBytes)
        {
            publish.ProcessPublish = false;
            publish.CloseConnection = true;
            publish.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            _log.Denied($"publish client={Printable(publish.ClientId)} user={user?.Name ?? "?"} topic={Printable(topic)} reason=payload of {publish.ApplicationMessage.Payload.Length} bytes over {_options.MaxPayloadBytes}");
            return Task.CompletedTask;
        }

        if (user is null || !AccessControl.CanPublish(user, topic))
        {
            publish.ProcessPublish = false;
            publish.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            _log.Denied($"publish client={Printable(publish.ClientId)} user={user?.Name ?? "?"} topic={Printable(topic)} reason=not allowed");
            return Task.CompletedTask;
        }

        if (_bridge is { } bridge)
        {
            bridge.Offer(publish.ApplicationMessage);
            CountCardEvent(publish.ApplicationMessage);
        }

        return Task.CompletedTask;
    }

    /// <summary>Card events count towards the health message: placed/removed counts only, nothing else is read.</summary>
    void CountCardEvent(MQTTnet.MqttApplicationMessage message)
    {
        if (!TopicRules.Matches($"{AccessControl.TopicRoot}/+/event/card", message.Topic) || message.Payload.Length > 1024)
        {
            return;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(message.Payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("event", out JsonElement kind) && kind.ValueKind == JsonValueKind.String)
            {
                if (kind.ValueEquals("placed"))
                {
                    Interlocked.Increment(ref _cardsPlaced);
                }
                else if (kind.ValueEquals("removed"))
                {
                    Interlocked.Increment(ref _cardsRemoved);
                }
            }
        }
        catch (JsonException)
        {
            // Not ours to judge; the host reads the event. It just is not counted.
        }
    }

    async Task<BrokerHealth> HealthAsync()
    {
        int clients = 0;
        if (_server is { } server)
        {
            clients = (await server.GetClientsAsync().ConfigureAwait(false)).Count;
        }

        return new BrokerHealth(_uptime.Elapsed, clients, Interlocked.Read(ref _cardsPlaced), Interlocked.Read(ref _cardsRemoved));
    }

    async Task<IList<MQTTnet.MqttApplicationMessage>> RetainedMessagesAsync() =>
        _server is { } server ? await server.GetRetainedMessagesAsync().ConfigureAwait(false) : [];

    Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs subscription)
    {
        BrokerUser? user = UserOf(subscription.SessionItems);
        string filter = subscription.TopicFilter.Topic;
        if (user is null || !AccessControl.CanSubscribe(user, filter))
        {
            subscription.ProcessSubscription = false;
            subscription.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            _log.Denied($"subscribe client={Printable(subscription.ClientId)} user={user?.Name ?? "?"} filter={Printable(filter)} reason=not allowed");
        }

        return Task.CompletedTask;
    }

    Task AnnounceLimitsAsync(InterceptingPacketEventArgs outbound)
    {
        // MQTTnet announces "no limit" in CONNACK; tell MQTT 5 clients the real one so a well-behaved client fails
        // locally instead of being disconnected. Room on top of the payload for topic and properties.
        if (outbound.Packet is MqttConnAckPacket connAck)
        {
            connAck.MaximumPacketSize = (uint)_options.MaxPayloadBytes + 16 * 1024;
        }

        return Task.CompletedTask;
    }

    Task OnEnqueuedOrDroppedAsync(ApplicationMessageEnqueuedEventArgs enqueued)
    {
        if (enqueued.IsDropped)
        {
            _log.Warn($"dropped queued message for client={Printable(enqueued.ReceiverClientId)} topic={Printable(enqueued.ApplicationMessage.Topic)} reason=pending queue full");
        }

        return Task.CompletedTask;
    }

    Task LoadRetainedAsync(LoadingRetainedMessagesEventArgs loading)
    {
        try
        {
            loading.LoadedRetainedMessages = _retained!.Load();
            _log.Info($"restored {loading.LoadedRetainedMessages.Count} retained messages");
        }
        catch (Exception exception) when (exception is IOException or System.Text.Json.JsonException or FormatException)
        {
            // A damaged file must not keep the kiosk's broker down; keep it aside for whoever investigates.
            string aside = _retained!.FilePath + $".corrupt-{DateTime.UtcNow:yyyyMMddHHmmss}";
            File.Move(_retained.FilePath, aside, overwrite: true);
            _log.Warn($"could not read {RetainedMessageStore.FileName} ({exception.Message}); moved to {aside}, starting empty");
        }

        return Task.CompletedTask;
    }

    Task OnRetainedChangedAsync(RetainedMessageChangedEventArgs changed)
    {
        _retained?.Schedule(changed.StoredRetainedMessages);
        return Task.CompletedTask;
    }

    Task OnRetainedClearedAsync(EventArgs cleared)
    {
        _retained?.Schedule([]);
        return Task.CompletedTask;
    }

    static BrokerUser? UserOf(System.Collections.IDictionary? sessionItems) =>
        sessionItems?[SessionUserKey] as BrokerUser;

    /// <summary>Client-supplied text goes into the log line by line: cut it short and strip control characters.</summary>
    static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        string shortened = text.Length > 128 ? text[..128] + "…" : text;
        return string.Concat(shortened.Select(character => char.IsControl(character) || char.IsWhiteSpace(character) ? '?' : character));
    }

    /// <summary>The plain and the TLS port: as asked, or free ones where 0 was asked.</summary>
    (int Plain, int Tls) PickPorts()
    {
        // Ask the OS for a free port, release it, and listen on it right after. A race with another process is
        // possible but harmless in tests; production always passes explicit ports. Both probes stay open until both
        // ports are known, so the two listeners never get the same one.
        var probes = new List<TcpListener>();
        try
        {
            int Pick(int asked, IPAddress address)
            {
                if (asked != 0)
                {
                    return asked;
                }

                var probe = new TcpListener(address, 0);
                probes.Add(probe);
                probe.Start();
                return ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            return (Pick(_options.Port, _options.BindAddress), Pick(_options.TlsPort, _options.TlsBindAddress));
        }
        finally
        {
            foreach (TcpListener probe in probes)
            {
                probe.Stop();
            }
        }
    }
}
