using System.Runtime.InteropServices;
using Kiosk.DeviceContract;
using Kiosk.Firmware.App;
using Kiosk.Firmware.Platform;
using Kiosk.Firmware.VirtualMcu;

// The virtual MCU: the firmware's FirmwareApp with TCP serial links to the peripheral simulator and MQTTnet over TLS to
// the edge broker, configured by the same device settings file the ESP32 reads. Logs connections and events to
// stdout, never payloads or secrets.

var settings = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["--config"] = Path.Combine("var", "secrets", "device-mcu-01.conf"),
    ["--storage"] = Path.Combine("var", "mcu"),
    ["--mqtt-protocol"] = "",
    ["--pn532"] = "127.0.0.1:7010",
    ["--fingerprint"] = "127.0.0.1:7011",
    ["--printer"] = "127.0.0.1:9100",
};
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "-h" or "--help")
    {
        Console.WriteLine("usage: Kiosk.Firmware.VirtualMcu [--config var/secrets/device-mcu-01.conf] [--storage var/mcu] " +
                          "[--mqtt-protocol 3.1.1|5.0] [--pn532 127.0.0.1:7010] [--fingerprint 127.0.0.1:7011] [--printer 127.0.0.1:9100]");
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
foreach (string option in new[] { "--pn532", "--fingerprint", "--printer" })
{
    if (!TryEndpoint(settings[option], out string host, out int port))
    {
        Console.Error.WriteLine($"{option}: expected host:port, got '{settings[option]}'");
        return 2;
    }
    endpoints[option] = (host, port);
}
if (settings["--mqtt-protocol"] is not ("" or DeviceSettings.Protocol311 or DeviceSettings.Protocol500))
{
    Console.Error.WriteLine("--mqtt-protocol: 3.1.1 or 5.0");
    return 2;
}

// The edge broker writes the device file on its first start, possibly after we started: wait for it, as the ESP32
// waits for its configuration to be deployed.
DeviceSettings? device = null;
string? lastError = null;
while (device is null)
{
    string? text = File.Exists(settings["--config"]) ? File.ReadAllText(settings["--config"]) : null;
    device = DeviceSettings.Parse(text, out string? error);
    if (device is not null) break;
    if (error != lastError) Log($"device settings {settings["--config"]}: {error}; waiting");
    lastError = error;
    Thread.Sleep(500);
}
if (settings["--mqtt-protocol"] != "") device.UseMqtt5 = settings["--mqtt-protocol"] == DeviceSettings.Protocol500;

var options = new FirmwareOptions { DeviceId = device.DeviceId };
var platform = new VirtualDevicePlatform(settings["--storage"], Log);
using var reader = new TcpSerialLink("pn532", endpoints["--pn532"].Host, endpoints["--pn532"].Port, Log);
using var fingerprint = new TcpSerialLink("fingerprint", endpoints["--fingerprint"].Host, endpoints["--fingerprint"].Port, Log);
using var printer = new TcpSerialLink("printer", endpoints["--printer"].Host, endpoints["--printer"].Port, Log);
using var mqtt = new MqttNetLink(device, Log);

var app = new FirmwareApp(options, mqtt, reader, fingerprint, printer, new TickClock(), new ConsoleLog(), platform);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    Log($"{context.Signal}: stopping");
    app.RequestStop();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

Log($"virtual MCU {options.DeviceId} {options.FirmwareVersion}: broker {device.BrokerHost}:{device.BrokerPort} (TLS, MQTT " +
    $"{(device.UseMqtt5 ? DeviceSettings.Protocol500 : DeviceSettings.Protocol311)}), pn532 {settings["--pn532"]}, " +
    $"fingerprint {settings["--fingerprint"]}, printer {settings["--printer"]}");
app.Run();
Log("stopped");
return 0;

internal sealed class ConsoleLog : ILog
{
    public void Info(string message) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {message}");
}
