using System.Net;
using System.Net.Sockets;
using Kiosk.Simulators.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Support;

/// <summary>The portal simulator on in-process Kestrel, on a free port (never the demo port).</summary>
public sealed class PortalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public Uri BaseAddress { get; }
    /// <summary>The simulator's services (e.g. its fault settings, for tests that switch faults without HTTP).</summary>
    public IServiceProvider Services => _app.Services;

    private PortalServer(WebApplication app, Uri address) { _app = app; BaseAddress = address; }

    public static async Task<PortalServer> StartAsync(string dataDir, int port = 0, Action<IServiceCollection>? configure = null)
    {
        var app = PortalApp.Build(["--urls", $"http://127.0.0.1:{port}", "--data", dataDir, "--Logging:LogLevel:Default", "Warning"], configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PortalServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>
    /// The simulator with its mutual-TLS listener too (demo CA and kiosk certificates under <c>dataDir/pki</c>):
    /// <see cref="BaseAddress"/> is the plain listener, <see cref="MutualTlsAddress"/> the one kiosks use.
    /// </summary>
    public static async Task<PortalServer> StartWithMutualTlsAsync(string dataDir, string[] extraArgs, Action<IServiceCollection>? configure = null)
    {
        var app = PortalApp.Build(["--urls", "http://127.0.0.1:0", "--mtls-url", "https://127.0.0.1:0", "--data", dataDir, .. extraArgs], configure);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new PortalServer(app, Listener(addresses, "http://")) { MutualTlsAddress = Listener(addresses, "https://") };
    }

    /// <summary>The mutual-TLS listener, when started with <see cref="StartWithMutualTlsAsync"/>.</summary>
    public Uri? MutualTlsAddress { get; private init; }

    private static Uri Listener(ICollection<string> addresses, string scheme) =>
        new(addresses.Single(a => a.StartsWith(scheme, StringComparison.Ordinal)).TrimEnd('/') + "/");

    public HttpClient Client() => new() { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
