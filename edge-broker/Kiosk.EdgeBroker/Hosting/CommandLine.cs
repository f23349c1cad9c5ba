using System.Net;
using Kiosk.EdgeBroker.Bridge;
using Kiosk.EdgeBroker.Users;

namespace Kiosk.EdgeBroker.Hosting;

/// <summary>What the command line asked for: run the broker, or add a user and exit.</summary>
public abstract record BrokerCommand;

public sealed record RunBroker(EdgeBrokerOptions Options) : BrokerCommand;

public sealed record AddUser(BrokerUser User, string DataDirectory, string SecretsDirectory) : BrokerCommand;

public static class CommandLine
{
    public const string Usage = """
        Kiosk.EdgeBroker [--port 1883] [--bind 127.0.0.1] [--tls-port 8883] [--tls-bind 127.0.0.1] [--tls-host NAME]
                         [--data var/broker] [--secrets var/secrets]
                         [--bridge-url mqtts://HOST:8883 --kiosk-id ID [--bridge-user NAME --bridge-password-file FILE]
                          [--bridge-ca CA.pem] [--bridge-cert CERT.pem --bridge-key KEY.pem] [--bridge-queue-max 10000]
                          [--bridge-queue-max-age-hours 168] [--bridge-health-seconds 60]]
        Kiosk.EdgeBroker adduser NAME --role device|host|bridge [--data var/broker] [--secrets var/secrets]
        """;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static BrokerCommand Parse(IReadOnlyList<string> args)
    {
        var defaults = new EdgeBrokerOptions();
        bool addUser = args.Count > 0 && args[0] == "adduser";
        int index = addUser ? 1 : 0;
        string? userName = null;
        UserRole? role = null;
        int port = defaults.Port;
        IPAddress bind = defaults.BindAddress;
        int tlsPort = defaults.TlsPort;
        IPAddress tlsBind = defaults.TlsBindAddress;
        string? tlsHost = defaults.TlsHost;
        string data = defaults.DataDirectory;
        string secrets = defaults.SecretsDirectory;
        var bridge = new Dictionary<string, string>(StringComparer.Ordinal);

        if (addUser)
        {
            if (args.Count < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException("adduser needs a user name.");
            }

            userName = args[1];
            index = 2;
        }

        for (; index < args.Count; index++)
        {
            string name = args[index];
            string Value() => index + 1 < args.Count ? args[++index] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--port" when !addUser:
                    port = int.TryParse(Value(), out int parsedPort) && parsedPort is >= 0 and <= 65535
                        ? parsedPort
                        : throw new ArgumentException("--port must be 0-65535 (0 picks a free port).");
                    break;
                case "--bind" when !addUser:
                    bind = IPAddress.TryParse(Value(), out IPAddress? parsedAddress)
                        ? parsedAddress
                        : throw new ArgumentException("--bind must be a loopback IP address, e.g. 127.0.0.1 or ::1.");
                    break;
                case "--tls-port" when !addUser:
                    tlsPort = int.TryParse(Value(), out int parsedTlsPort) && parsedTlsPort is >= 0 and <= 65535
                        ? parsedTlsPort
                        : throw new ArgumentException("--tls-port must be 0-65535 (0 picks a free port).");
                    break;
                case "--tls-bind" when !addUser:
                    tlsBind = IPAddress.TryParse(Value(), out IPAddress? parsedTlsAddress)
                        ? parsedTlsAddress
                        : throw new ArgumentException("--tls-bind must be an IP address, e.g. 127.0.0.1, 0.0.0.0 or the Wi-Fi interface's.");
                    break;
                case "--tls-host" when !addUser:
                    tlsHost = Value();
                    break;
                case "--role" when addUser:
                    role = Enum.TryParse(Value(), ignoreCase: true, out UserRole parsedRole) && Enum.IsDefined(parsedRole)
                        ? parsedRole
                        : throw new ArgumentException("--role must be device, host or bridge.");
                    break;
                case "--bridge-url" or "--kiosk-id" or "--bridge-user" or "--bridge-password-file" or "--bridge-ca"
                    or "--bridge-cert" or "--bridge-key" or "--bridge-queue-max" or "--bridge-queue-max-age-hours" or "--bridge-health-seconds" when !addUser:
                    bridge[name] = Value();
                    break;
                case "--data":
                    data = Value();
                    break;
                case "--secrets":
                    secrets = Value();
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{name}'.");
            }
        }

        if (addUser)
        {
            if (!BrokerUser.IsValidName(userName))
            {
                throw new ArgumentException($"User name '{userName}' must be 1-64 letters, digits or '-'.");
            }

            return new AddUser(new BrokerUser(userName!, role ?? throw new ArgumentException("adduser needs --role.")), data, secrets);
        }

        EdgeBrokerOptions options = defaults with
        {
            Port = port, BindAddress = bind, TlsPort = tlsPort, TlsBindAddress = tlsBind, TlsHost = tlsHost,
            DataDirectory = data, SecretsDirectory = secrets, Bridge = ParseBridge(bridge),
        };
        options.Validate();
        return new RunBroker(options);
    }

    /// <summary>No --bridge-url = no bridge (the demo). Any other --bridge-* option then is a mistake.</summary>
    static BridgeOptions? ParseBridge(Dictionary<string, string> values)
    {
        if (!values.TryGetValue("--bridge-url", out string? url))
        {
            if (values.Count > 0)
            {
                throw new ArgumentException($"{values.Keys.First()} needs --bridge-url.");
            }

            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            throw new ArgumentException("--bridge-url must be mqtts://HOST[:PORT] or mqtt://HOST[:PORT].");
        }

        var options = new BridgeOptions
        {
            Url = uri,
            KioskId = values.TryGetValue("--kiosk-id", out string? kioskId) ? kioskId : throw new ArgumentException("--bridge-url needs --kiosk-id."),
            UserName = values.GetValueOrDefault("--bridge-user"),
            PasswordFile = values.GetValueOrDefault("--bridge-password-file"),
            CaFile = values.GetValueOrDefault("--bridge-ca"),
            CertificateFile = values.GetValueOrDefault("--bridge-cert"),
            KeyFile = values.GetValueOrDefault("--bridge-key"),
        };
        if (values.TryGetValue("--bridge-queue-max", out string? queueMax))
        {
            options = options with
            {
                QueueMaxMessages = int.TryParse(queueMax, out int parsed) && parsed >= 1
                    ? parsed
                    : throw new ArgumentException("--bridge-queue-max must be a whole number of messages, at least 1."),
            };
        }

        if (values.TryGetValue("--bridge-queue-max-age-hours", out string? maxAgeHours))
        {
            options = options with
            {
                QueueMaxAge = int.TryParse(maxAgeHours, out int parsed) && parsed is >= 1 and <= 24 * 366
                    ? TimeSpan.FromHours(parsed)
                    : throw new ArgumentException("--bridge-queue-max-age-hours must be 1-8784."),
            };
        }

        if (values.TryGetValue("--bridge-health-seconds", out string? healthSeconds))
        {
            options = options with
            {
                HealthInterval = int.TryParse(healthSeconds, out int parsed) && parsed is >= 1 and <= 86_400
                    ? TimeSpan.FromSeconds(parsed)
                    : throw new ArgumentException("--bridge-health-seconds must be 1-86400."),
            };
        }

        options.Validate();
        if (options.PasswordFile is not null && !File.Exists(options.PasswordFile))
        {
            throw new ArgumentException("--bridge-password-file does not exist.");
        }

        return options;
    }
}
