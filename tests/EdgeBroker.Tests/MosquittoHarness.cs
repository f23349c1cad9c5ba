using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet;

namespace EdgeBroker.Tests;

/// <summary>
/// A private Mosquitto standing in for the central operations cluster: its own temp config, password file and
/// persistence folder, on a free loopback port (never 1883, never the system service). Stop/Start keeps the port,
/// and with persistence a clean stop (SIGTERM) keeps retained messages and persistent sessions.
/// </summary>
public sealed class MosquittoHarness : IAsyncDisposable
{
    public const string BridgeUser = "kiosk-k1";
    public const string OpsUser = "ops";
    const string Executable = "/usr/sbin/mosquitto";
    readonly List<IMqttClient> _clients = [];
    Process? _process;

    MosquittoHarness(string root, int port)
    {
        Root = root;
        Port = port;
    }

    public string Root { get; }
    public int Port { get; }
    public string BridgePassword { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    public string OpsPassword { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    public string BridgePasswordFile => Path.Combine(Root, "bridge.password");
    public string LogFile => Path.Combine(Root, "mosquitto.log");

    public static bool IsAvailable => File.Exists(Executable) && File.Exists("/usr/bin/mosquitto_passwd");

    /// <summary>With <paramref name="tls"/> the listener speaks TLS only and requires a client certificate signed
    /// by the same CA (mutual TLS, as the production cluster would).</summary>
    public static async Task<MosquittoHarness> StartAsync(bool start = true, TestPki? tls = null)
    {
        var harness = new MosquittoHarness(Directory.CreateTempSubdirectory("central-mosquitto-").FullName, FreePort());
        try
        {
            await harness.WriteConfigurationAsync(tls);
            if (start)
            {
                await harness.StartAsync();
            }
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }

        return harness;
    }

    async Task WriteConfigurationAsync(TestPki? tls)
    {
        string passwords = Path.Combine(Root, "passwd");
        await File.WriteAllTextAsync(passwords, "");
        await RunAsync("/usr/bin/mosquitto_passwd", "-b", passwords, BridgeUser, BridgePassword);
        await RunAsync("/usr/bin/mosquitto_passwd", "-b", passwords, OpsUser, OpsPassword);
        await File.WriteAllTextAsync(BridgePasswordFile, BridgePassword + "\n");
        Directory.CreateDirectory(Path.Combine(Root, "db"));
        await File.WriteAllTextAsync(Path.Combine(Root, "mosquitto.conf"), $"""
            listener {Port} 127.0.0.1
            user {Environment.UserName}
            allow_anonymous false
            password_file {passwords}
            persistence true
            persistence_location {Path.Combine(Root, "db")}/
            log_dest file {LogFile}
            log_type error
            log_type warning
            log_type notice
            """ + (tls is null ? "" : $"""

            cafile {tls.CaFile}
            certfile {tls.ServerCertificateFile}
            keyfile {tls.ServerKeyFile}
            require_certificate true
            """));
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Executable) { ArgumentList = { "-c", Path.Combine(Root, "mosquitto.conf") }, UseShellExecute = false };
        _process = Process.Start(start)!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(25);
            }
            catch (SocketException exception)
            {
                string log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(no log)";
                throw new InvalidOperationException($"mosquitto did not start ({exception.SocketErrorCode}): {log}");
            }
        }
    }

    /// <summary>SIGTERM: Mosquitto closes its clients and writes its persistence file.</summary>
    public async Task StopAsync()
    {
        Process? process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
                {
                    await kill.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>An operations client on the central broker; its inbox listens before CONNECT, so messages a
    /// persistent session had queued are not missed.</summary>
    public async Task<(IMqttClient Client, Inbox Inbox)> ConnectOpsAsync(string clientId = "ops", bool persistentSession = false)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        var inbox = new Inbox(client);
        MqttClientOptionsBuilder options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithClientId(clientId)
            .WithCredentials(OpsUser, OpsPassword)
            .WithTimeout(TimeSpan.FromSeconds(5));
        if (persistentSession)
        {
            options = options.WithCleanStart(false).WithSessionExpiryInterval(600);
        }

        MqttClientConnectResult result = await client.ConnectAsync(options.Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return (client, inbox);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IMqttClient client in _clients)
        {
            client.Dispose();
        }

        await StopAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} failed: {await process.StandardError.ReadToEndAsync()}");
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
