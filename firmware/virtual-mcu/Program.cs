using System.Runtime.InteropServices;
using Kiosk.Firmware.App;
using Kiosk.Firmware.Platform;
using Kiosk.Firmware.VirtualMcu;

// The virtual MCU: the firmware's FirmwareApp with TCP serial links to the peripheral simulator and MQTTnet to the
// edge broker. Logs connections and events to stdout, never payloads.

var settings = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["--device"] = "mcu-01",
    ["--broker"] = "127.0.0.1:1883",
    ["--secrets"] = "var/secrets",
    ["--pn532"] = "127.0.0.1:7010",
    ["--fingerprint"] = "127.0.0.1:7011",
    ["--printer"] = "127.0.0.1:9100",
};
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "-h" or "--help")
    {
        Console.WriteLine("usage: Kiosk.Firmware.VirtualMcu [--device mcu-01] [--broker 127.0.0.1:1883] [--secrets var/secrets] " +
                          "[--pn532 127.0.0.1:7010] [--fingerprint 127.0.0.1:7011] [--printer 127.0.0.1:9100]");
        return 0;
    }
    if (!settings.ContainsKey(args[i]) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"unknown or incomplete option: {args[i]} (see --help)");
        return 2;
    }
    settings[args[i]] = args[++i];
}

static void Log(string message) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {message}");

static bool TryEndpoint(string text, out string host, out int port)
{
    host = "";
    port = 0;
    int colon = text.LastIndexOf(':');
    if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out port) || port is <= 0 or > 65535) return false;
    host = text[..colon];
    return true;
}

var endpoints = new Dictionary<string, (string Host, int Port)>();
foreach (string option in new[] { "--broker", "--pn532", "--fingerprint", "--printer" })
{
    if (!TryEndpoint(settings[option], out string host, out int port))
    {
        Console.Error.WriteLine($"{option}: expected host:port, got '{settings[option]}'");
        return 2;
    }
    endpoints[option] = (host, port);
}

var options = new FirmwareOptions { DeviceId = settings["--device"] };
if (!Kiosk.Firmware.Mqtt.Topics.IsValidDeviceId(options.DeviceId))
{
    Console.Error.WriteLine("--device: letters, digits and '-' only");
    return 2;
}

using var reader = new TcpSerialLink("pn532", endpoints["--pn532"].Host, endpoints["--pn532"].Port, Log);
using var fingerprint = new TcpSerialLink("fingerprint", endpoints["--fingerprint"].Host, endpoints["--fingerprint"].Port, Log);
using var printer = new TcpSerialLink("printer", endpoints["--printer"].Host, endpoints["--printer"].Port, Log);
using var mqtt = new MqttNetLink(endpoints["--broker"].Host, endpoints["--broker"].Port, options.DeviceId, settings["--secrets"], Log);

var app = new FirmwareApp(options, mqtt, reader, fingerprint, printer, new SystemClock(), new ConsoleLog());

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    Log($"{context.Signal}: stopping");
    app.RequestStop();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

Log($"virtual MCU {options.DeviceId} {options.FirmwareVersion}: broker {settings["--broker"]}, pn532 {settings["--pn532"]}, " +
    $"fingerprint {settings["--fingerprint"]}, printer {settings["--printer"]}");
app.Run();
Log("stopped");
return 0;

internal sealed class ConsoleLog : ILog
{
    public void Info(string message) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {message}");
}
