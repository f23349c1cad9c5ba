using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Kiosk.DeviceContract;

namespace Kiosk.EdgeBroker.Hosting;

/// <summary>Everything the broker is started with; the command line fills it (see <see cref="CommandLine"/>).</summary>
public sealed partial record EdgeBrokerOptions
{
    public const int DefaultPort = 1883;

    /// <summary>TCP port of the plain MQTT listener; 0 picks a free one (tests), read the real one from
    /// <see cref="EdgeBroker.Port"/>.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Address of the plain MQTT listener: a loopback address only (<see cref="Validate"/>). Plain MQTT is for
    /// the processes on the Pi (the kiosk host); the devices, and anything on the network, connect to the TLS listener.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port of the TLS listener (devices); 0 picks a free one, read it from <see cref="EdgeBroker.TlsPort"/>.</summary>
    public int TlsPort { get; init; } = DeviceSettings.DefaultTlsPort;

    /// <summary>Address of the TLS listener. Loopback by default (the demo); a real kiosk binds 0.0.0.0 or the Wi-Fi
    /// interface's address so the ESP32 can connect.</summary>
    public IPAddress TlsBindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The name or IP address the devices use to reach the TLS listener: it goes into the server
    /// certificate's subject alternative names and into the device files. Null = <see cref="TlsBindAddress"/>, which
    /// is not possible when that is 0.0.0.0 or ::.</summary>
    public string? TlsHost { get; init; }

    /// <summary>The clock certificates are issued and checked by (tests pass a manual one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

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

    /// <summary>Throws <see cref="ArgumentException"/> with a message fit for the command line.</summary>
    public void Validate()
    {
        if (!IPAddress.IsLoopback(BindAddress))
        {
            throw new ArgumentException(
                $"--bind {BindAddress}: plain MQTT listens on a loopback address only (127.0.0.1 or ::1), for the processes on " +
                "this machine. Devices on the network connect over TLS: use --tls-bind (and --tls-host) for them.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException("--port must be 0-65535 (0 picks a free port).");
        }

        if (TlsPort is < 0 or > 65535)
        {
            throw new ArgumentException("--tls-port must be 0-65535 (0 picks a free port).");
        }

        if (Port != 0 && Port == TlsPort)
        {
            throw new ArgumentException($"--port and --tls-port are both {Port}: the plain and the TLS listener need a port each.");
        }

        _ = DeviceHost();
    }

    /// <summary>The TLS host name or IP address the devices are given (and the certificate names), canonical.</summary>
    public string DeviceHost()
    {
        if (TlsHost is null)
        {
            if (TlsBindAddress.Equals(IPAddress.Any) || TlsBindAddress.Equals(IPAddress.IPv6Any))
            {
                throw new ArgumentException(
                    $"--tls-bind {TlsBindAddress} needs --tls-host NAME: the host name or IP address the devices use to reach " +
                    "this broker (it goes into the server certificate and the device files).");
            }

            return TlsBindAddress.ToString();
        }

        if (IPAddress.TryParse(TlsHost, out IPAddress? address))
        {
            bool usable = address.AddressFamily switch
            {
                // Dotted form only: "1234" or "010.0.0.1" parse as addresses, but nobody means them.
                AddressFamily.InterNetwork => !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.None)
                                              && address.ToString() == TlsHost,
                AddressFamily.InterNetworkV6 => !address.Equals(IPAddress.IPv6Any) && address.ScopeId == 0,
                _ => false,
            };
            if (!usable)
            {
                throw new ArgumentException($"--tls-host {TlsHost}: not an address a device can connect to (dotted IPv4, or IPv6 without a zone).");
            }

            return address.ToString();
        }

        if (TlsHost.Length > 253 || !HostNamePattern().IsMatch(TlsHost))
        {
            throw new ArgumentException("--tls-host must be a host name (letters, digits, '-' and '.') or an IP address.");
        }

        return TlsHost.ToLowerInvariant();
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and '-', no '-' at either end of a label.</summary>
    [GeneratedRegex("^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostNamePattern();
}
