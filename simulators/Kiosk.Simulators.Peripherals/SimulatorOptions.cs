using Kiosk.Simulators.VirtualCard.Profiles;

namespace Kiosk.Simulators.Peripherals;

/// <summary>Thrown for a command line the simulator cannot run with; the message says what is wrong.</summary>
public sealed class CommandLineException(string message) : Exception(message);

/// <summary>
/// The command line (docs/architecture.md): --pn532-port 7010 --fingerprint-port 7011 --printer-port 9100
/// --control-urls http://127.0.0.1:8091 --data var/peripherals [--profiles DIR]. Port 0 picks a free port (for tests).
/// </summary>
public sealed record SimulatorOptions
{
    public int Pn532Port { get; init; } = 7010;
    public int FingerprintPort { get; init; } = 7011;
    public int PrinterPort { get; init; } = 9100;
    /// <summary>Semicolon-separated, as ASP.NET Core's --urls.</summary>
    public string ControlUrls { get; init; } = "http://127.0.0.1:8091";
    public string DataFolder { get; init; } = "var/peripherals";
    public string ProfilesFolder { get; init; } = PersonProfileStore.DefaultFolder;

    public const string Usage =
        "usage: Kiosk.Simulators.Peripherals [--pn532-port 7010] [--fingerprint-port 7011] [--printer-port 9100]\n" +
        "                                    [--control-urls http://127.0.0.1:8091] [--data var/peripherals] [--profiles DIR]";

    public static SimulatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SimulatorOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Count) throw new CommandLineException($"{name} needs a value");
            string value = args[++i];
            options = name switch
            {
                "--pn532-port" => options with { Pn532Port = Port(name, value) },
                "--fingerprint-port" => options with { FingerprintPort = Port(name, value) },
                "--printer-port" => options with { PrinterPort = Port(name, value) },
                "--control-urls" => options with { ControlUrls = value },
                "--data" => options with { DataFolder = value },
                "--profiles" => options with { ProfilesFolder = value },
                _ => throw new CommandLineException($"unknown option {name}"),
            };
        }
        return options;
    }

    private static int Port(string name, string value)
    {
        if (!int.TryParse(value, out int port) || port is < 0 or > 65535) throw new CommandLineException($"{name} must be a port number 0..65535");
        return port;
    }
}
