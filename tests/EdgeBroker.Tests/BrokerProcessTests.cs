using System.Diagnostics;
using System.Text.RegularExpressions;
using MQTTnet;

namespace EdgeBroker.Tests;

/// <summary>The broker as the other processes and the end-to-end test see it: the exe, its stdout, SIGTERM.</summary>
public partial class BrokerProcessTests
{
    [Fact]
    public async Task The_exe_announces_its_port_serves_clients_and_stops_cleanly_on_sigterm()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM is a Unix notion; the kiosk runs Linux.
        }

        string root = Directory.CreateTempSubdirectory("edge-broker-process-").FullName;
        string data = Path.Combine(root, "broker");
        string secrets = Path.Combine(root, "secrets");
        string exe = Path.Combine(AppContext.BaseDirectory, "Kiosk.EdgeBroker.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { exe, "--port", "0", "--tls-port", "0", "--data", data, "--secrets", secrets },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process broker = Process.Start(start)!;
        try
        {
            int port = await ReadAnnouncedPortAsync(broker.StandardOutput);
            // Keep draining stdout so the broker never blocks on a full pipe while it logs.
            Task<string> restOfOutput = broker.StandardOutput.ReadToEndAsync();

            string password = File.ReadAllText(Path.Combine(secrets, "mqtt-mcu-01.password"));
            using IMqttClient device = new MqttClientFactory().CreateMqttClient();
            MqttClientConnectResult result = await device.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port).WithClientId("mcu-01").WithCredentials("mcu-01", password).Build());
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await device.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic("kiosk/v1/mcu-01/status").WithPayload("{\"online\":true}"u8.ToArray()).WithRetainFlag()
                // QoS 1: the PUBACK means the broker has taken the retained message before we ask it to stop.
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await device.DisconnectAsync();

            using (Process kill = Process.Start("kill", ["-TERM", broker.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await broker.WaitForExitAsync(exitTimeout.Token);
            Assert.Equal(0, broker.ExitCode);
            Assert.Contains("stopped", await restOfOutput);
            Assert.Contains("kiosk/v1/mcu-01/status", File.ReadAllText(Path.Combine(data, "retained.json")));
        }
        finally
        {
            if (!broker.HasExited)
            {
                broker.Kill();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    static async Task<int> ReadAnnouncedPortAsync(StreamReader output)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await output.ReadLineAsync(timeout.Token) is { } line)
        {
            Match match = ListeningLine().Match(line);
            if (match.Success)
            {
                return int.Parse(match.Groups["port"].Value);
            }
        }

        throw new InvalidOperationException("The broker exited without announcing its port.");
    }

    [GeneratedRegex(@"listening on [^\s]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
