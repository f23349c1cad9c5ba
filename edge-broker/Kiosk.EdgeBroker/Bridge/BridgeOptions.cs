namespace Kiosk.EdgeBroker.Bridge;

/// <summary>
/// How the edge broker reaches the central operations MQTT cluster. Absent (null in
/// <see cref="Hosting.EdgeBrokerOptions.Bridge"/>) = no bridge, which is what the demo runs.
/// </summary>
public sealed record BridgeOptions
{
    /// <summary><c>mqtts://host[:8883]</c> (TLS) or <c>mqtt://host[:1883]</c> (plain, tests and labs only).</summary>
    public required Uri Url { get; init; }

    /// <summary>This kiosk's id in the fleet: letters, digits and '-'. Becomes the topic prefix <c>kiosks/{id}</c>.</summary>
    public required string KioskId { get; init; }

    public string? UserName { get; init; }

    /// <summary>File holding the central password (trimmed). Read at start; never logged.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>PEM file with the CA that signs the central cluster's certificate. Without it the system trust store
    /// is used.</summary>
    public string? CaFile { get; init; }

    /// <summary>Optional client certificate (PEM) and its private key (PEM) for mutual TLS.</summary>
    public string? CertificateFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>Messages kept in the outbound queue while the uplink is down; beyond it the oldest is dropped.</summary>
    public int QueueMaxMessages { get; init; } = 10_000;

    /// <summary>Bytes of topic + payload kept in the outbound queue; beyond it the oldest is dropped.</summary>
    public long QueueMaxBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Oldest a queued message may be when it is sent; older ones are dropped and counted as expired. A
    /// publisher's shorter MQTT 5 message expiry interval wins.</summary>
    public TimeSpan QueueMaxAge { get; init; } = OutboundQueue.DefaultMaxAge;

    /// <summary>The clock that ages queued messages (tests pass a manual one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How often the kiosk health message is published while connected.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle, connected uplink is checked with a PING (the MQTTnet 5 reconnect pattern).</summary>
    public TimeSpan LivenessInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait after a failed connect; doubles (with jitter) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one CONNECT or one PUBLISH round trip.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool UseTls => Url.Scheme == "mqtts";

    public int Port => Url.IsDefaultPort || Url.Port <= 0 ? (UseTls ? 8883 : 1883) : Url.Port;

    /// <summary>Throws <see cref="ArgumentException"/> with a message fit for the command line.</summary>
    public void Validate()
    {
        if (Url.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(Url.Host))
        {
            throw new ArgumentException("--bridge-url must be mqtts://HOST[:PORT] or mqtt://HOST[:PORT].");
        }

        if (!Users.BrokerUser.IsValidName(KioskId))
        {
            throw new ArgumentException("--kiosk-id must be 1-64 letters, digits or '-' (it becomes a topic level).");
        }

        if (PasswordFile is not null && UserName is null)
        {
            throw new ArgumentException("--bridge-password-file needs --bridge-user.");
        }

        if ((CertificateFile is null) != (KeyFile is null))
        {
            throw new ArgumentException("--bridge-cert and --bridge-key go together.");
        }

        if (!UseTls && (CaFile is not null || CertificateFile is not null))
        {
            throw new ArgumentException("--bridge-ca, --bridge-cert and --bridge-key need an mqtts:// URL.");
        }

        if (QueueMaxMessages < 1 || QueueMaxBytes < 1024)
        {
            throw new ArgumentException("--bridge-queue-max must be at least 1.");
        }

        if (QueueMaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException("--bridge-queue-max-age-hours must be at least 1.");
        }
    }
}
