using Kiosk.Simulators.Peripherals.Control;
using Kiosk.Simulators.Peripherals.Fingerprint;
using Kiosk.Simulators.Peripherals.Pn532;
using Kiosk.Simulators.Peripherals.Printer;
using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.Peripherals.Transport;
using Kiosk.Simulators.VirtualCard.Profiles;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Kiosk.Simulators.Peripherals;

/// <summary>Which device TCP ports have a client at the moment (for GET /api/state).</summary>
public sealed class DeviceConnections
{
    public Func<bool> Pn532 { get; set; } = () => false;
    public Func<bool> Fingerprint { get; set; } = () => false;
    public Func<bool> Printer { get; set; } = () => false;
}

/// <summary>
/// The whole peripheral simulator: three TCP device ports and the control web app. Used by Program and, in-process on
/// free ports, by the tests.
/// </summary>
public sealed class PeripheralSimulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly SerialBridgeListener[] listeners;

    private PeripheralSimulator(WebApplication app, SerialBridgeListener[] listeners, Uri controlUri)
    {
        this.app = app;
        this.listeners = listeners;
        ControlUri = controlUri;
    }

    public int Pn532Port => listeners[0].Port;
    public int FingerprintPort => listeners[1].Port;
    public int PrinterPort => listeners[2].Port;
    /// <summary>The first control address actually bound, e.g. http://127.0.0.1:8091/.</summary>
    public Uri ControlUri { get; }
    public PeripheralState State => app.Services.GetRequiredService<PeripheralState>();

    public static async Task<PeripheralSimulator> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default)
    {
        // Profiles first: a broken profile folder should stop the start before any port is taken.
        PersonProfileStore profiles = PersonProfileStore.LoadFolder(options.ProfilesFolder);

        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.ControlUrls);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton(profiles);
        builder.Services.AddSingleton<PeripheralState>();
        builder.Services.AddSingleton<DeviceConnections>();
        var pkiProvider = new CardPkiProvider(options.DataFolder);
        // The test PKI exists from start-up, not from the first secure card: a host started after this process (the
        // demo passes it --csca DATA/pki/trust) finds the CSCA folder there.
        _ = pkiProvider.Pki;
        builder.Services.AddSingleton(pkiProvider);
        builder.Services.AddSingleton(services =>
            new ReceiptStore(options.DataFolder, services.GetRequiredService<ILoggerFactory>().CreateLogger<ReceiptStore>()));
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Encoder = ReceiptStore.JsonOptions.Encoder;
        });

        WebApplication app = builder.Build();
        ControlApi.Map(app);

        PeripheralState state = app.Services.GetRequiredService<PeripheralState>();
        ILoggerFactory loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var listeners = new[]
        {
            new SerialBridgeListener("pn532", options.Pn532Port, new VirtualPn532(state), loggers.CreateLogger("Pn532")),
            new SerialBridgeListener("fingerprint", options.FingerprintPort, new VirtualFingerprintModule(state), loggers.CreateLogger("Fingerprint")),
            new SerialBridgeListener("printer", options.PrinterPort,
                new VirtualPrinter(state, app.Services.GetRequiredService<ReceiptStore>()), loggers.CreateLogger("Printer")),
        };
        DeviceConnections connections = app.Services.GetRequiredService<DeviceConnections>();
        connections.Pn532 = () => listeners[0].ClientConnected;
        connections.Fingerprint = () => listeners[1].ClientConnected;
        connections.Printer = () => listeners[2].ClientConnected;

        var started = new List<SerialBridgeListener>();
        try
        {
            foreach (SerialBridgeListener listener in listeners)
            {
                listener.Start();
                started.Add(listener);
            }
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            foreach (SerialBridgeListener listener in started) await listener.DisposeAsync();
            await app.DisposeAsync();
            throw;
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PeripheralSimulator(app, listeners, new Uri(address.TrimEnd('/') + "/"));
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (SerialBridgeListener listener in listeners) await listener.DisposeAsync();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
