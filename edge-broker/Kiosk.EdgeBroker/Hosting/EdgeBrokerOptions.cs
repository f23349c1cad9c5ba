using System.Net;

namespace Kiosk.EdgeBroker.Hosting;

/// <summary>Everything the broker is started with; the command line fills it (see <see cref="CommandLine"/>).</summary>
public sealed record EdgeBrokerOptions
{
    public const int DefaultPort = 1883;

    /// <summary>TCP port; 0 picks a free one (tests), read the real one from <see cref="EdgeBroker.Port"/>.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Loopback by default: in the demo everything runs on one machine. A real kiosk binds 0.0.0.0 so the
    /// ESP32 can connect over Wi-Fi.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    public string DataDirectory { get; init; } = Path.Combine("var", "broker");

    public string SecretsDirectory { get; init; } = Path.Combine("var", "secrets");

    /// <summary>
    /// Largest PUBLISH payload accepted. The contract's largest message is an extended APDU (65,544 bytes) or a print
    /// job (65,535 bytes); 256 KiB leaves room without letting one client fill the Pi's memory.
    /// </summary>
    public int MaxPayloadBytes { get; init; } = 256 * 1024;

    /// <summary>Messages queued for one slow or absent subscriber before the oldest is dropped.</summary>
    public int MaxPendingMessagesPerClient { get; init; } = 500;

    /// <summary>How long a new TCP connection may take to send its CONNECT packet.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Quiet period before retained messages are written to disk after a change.</summary>
    public TimeSpan RetainedWriteDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The bridge to the central operations cluster; null (the default, and the demo) = no bridge.</summary>
    public Bridge.BridgeOptions? Bridge { get; init; }
}
