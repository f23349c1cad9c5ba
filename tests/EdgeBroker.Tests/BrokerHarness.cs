using System.Net;
using Kiosk.EdgeBroker.Hosting;
using MQTTnet;

namespace EdgeBroker.Tests;

/// <summary>A real broker on a free loopback port with its own temp data and secrets folders.</summary>
public sealed class BrokerHarness : IAsyncDisposable
{
    readonly StringWriter _logText = new();
    readonly List<IMqttClient> _clients = [];

    BrokerHarness(string root)
    {
        Root = root;
        Log = TextWriter.Synchronized(_logText);
    }

    public string Root { get; }
    public string DataDirectory => Path.Combine(Root, "broker");
    public string SecretsDirectory => Path.Combine(Root, "secrets");
    public TextWriter Log { get; }
    public Kiosk.EdgeBroker.Hosting.EdgeBroker Broker { get; private set; } = null!;
    public int Port => Broker.Port;

    public string LogText
    {
        get
        {
            lock (Log)
            {
                return _logText.ToString();
            }
        }
    }

    public static async Task<BrokerHarness> StartAsync(Func<EdgeBrokerOptions, EdgeBrokerOptions>? configure = null)
    {
        var harness = new BrokerHarness(Directory.CreateTempSubdirectory("edge-broker-test-").FullName);
        await harness.StartBrokerAsync(configure);
        return harness;
    }

    Func<EdgeBrokerOptions, EdgeBrokerOptions>? _configure;

    public async Task StartBrokerAsync(Func<EdgeBrokerOptions, EdgeBrokerOptions>? configure = null, int port = 0)
    {
        _configure = configure;
        var options = new EdgeBrokerOptions
        {
            Port = port,
            BindAddress = IPAddress.Loopback,
            // A free TLS port too: tests run in parallel, and 8883 may be taken on the machine.
            TlsPort = 0,
            TlsBindAddress = IPAddress.Loopback,
            DataDirectory = DataDirectory,
            SecretsDirectory = SecretsDirectory,
            RetainedWriteDelay = TimeSpan.FromMilliseconds(20),
        };
        Broker = new Kiosk.EdgeBroker.Hosting.EdgeBroker(configure?.Invoke(options) ?? options, Log);
        await Broker.StartAsync();
    }

    public async Task RestartAsync()
    {
        int port = Port;
        await Broker.StopAsync();
        await StartBrokerAsync(_configure, port);
    }

    public string Password(string user) => File.ReadAllText(Path.Combine(SecretsDirectory, $"mqtt-{user}.password"));

    public MqttClientOptionsBuilder Options(string clientId, string user, string password) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithClientId(clientId)
            .WithCredentials(user, password)
            .WithTimeout(TimeSpan.FromSeconds(10));

    /// <summary>Connects and returns the CONNACK result, whether accepted or refused.</summary>
    public async Task<(IMqttClient Client, MqttClientConnectResultCode Result)> TryConnectAsync(MqttClientOptionsBuilder options)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        // MQTTnet 5 returns a refused CONNACK as a result instead of throwing.
        MqttClientConnectResult result = await client.ConnectAsync(options.Build());
        return (client, result.ResultCode);
    }

    public async Task<IMqttClient> ConnectAsync(string clientId, string user, Action<MqttClientOptionsBuilder>? configure = null)
    {
        MqttClientOptionsBuilder options = Options(clientId, user, Password(user));
        configure?.Invoke(options);
        (IMqttClient client, MqttClientConnectResultCode result) = await TryConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        return client;
    }

    public Task<IMqttClient> ConnectHostAsync() => ConnectAsync("host", "host");

    public Task<IMqttClient> ConnectDeviceAsync(string device = "mcu-01", Action<MqttClientOptionsBuilder>? configure = null) =>
        ConnectAsync(device, device, configure);

    public async ValueTask DisposeAsync()
    {
        foreach (IMqttClient client in _clients)
        {
            client.Dispose();
        }

        await Broker.StopAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Collects messages a client receives, so a test can wait for the next one with a timeout.</summary>
public sealed class Inbox
{
    readonly System.Threading.Channels.Channel<MqttApplicationMessage> _messages =
        System.Threading.Channels.Channel.CreateUnbounded<MqttApplicationMessage>();

    public Inbox(IMqttClient client)
    {
        client.ApplicationMessageReceivedAsync += received =>
        {
            _messages.Writer.TryWrite(received.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public async Task<MqttApplicationMessage> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _messages.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>The next message, or null when none arrives within the wait.</summary>
    public async Task<MqttApplicationMessage?> TryNextAsync(TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            return await _messages.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>True if nothing arrives within the wait (for "was not delivered" checks).</summary>
    public async Task<bool> StaysEmptyAsync(TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            await _messages.Reader.WaitToReadAsync(cancel.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
