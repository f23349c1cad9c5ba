using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Kiosk.Simulators.Portal.Control;
using Kiosk.Simulators.Portal.Dossiers;
using Kiosk.Simulators.Portal.Faults;
using Kiosk.Simulators.Portal.Identity;
using Kiosk.Simulators.Portal.Pki;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Kiosk.Simulators.Portal;

/// <summary>
/// Command-line options: <c>--urls URL --data DIR</c>; for mutual TLS also <c>--mtls-url https://127.0.0.1:8093
/// --pki DIR --kiosks kiosk-mcu-01[,…]</c> (the demo CA folder, created when missing, and the kiosks to enrol);
/// <c>--people ID[,…]</c> adds 12-digit ID numbers known to the identity-verification API.
/// </summary>
public sealed class PortalOptions
{
    public string Data { get; set; } = "var/portal";
    /// <summary>The HTTPS listener that requires a client certificate from the demo CA; null: plain HTTP only.</summary>
    public string? MtlsUrl { get; set; }
    /// <summary>The demo CA folder (default DATA/pki).</summary>
    public string? Pki { get; set; }
    /// <summary>Comma-separated kiosk ids that get a client certificate (CN = kiosk id) at start when they have none.</summary>
    public string? Kiosks { get; set; }
    /// <summary>Comma-separated 12-digit ID numbers known for identity verification, besides the card simulator's demo people.</summary>
    public string? People { get; set; }
}

/// <summary>Builds the portal simulator web app; used by Program and by in-process tests.</summary>
public static class PortalApp
{
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // Quiet defaults (request and HttpClient logs at Warning); the command line can still override them.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            },
        });
        var options = new PortalOptions();
        builder.Configuration.Bind(options);
        options.MtlsUrl = builder.Configuration["mtls-url"] ?? options.MtlsUrl;
        Directory.CreateDirectory(options.Data);
        if (options.MtlsUrl is not null) ConfigureMutualTls(builder, options);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => new DossierRepository(Path.Combine(options.Data, "portal.db")));
        builder.Services.AddSingleton<ConfigurableFaults>();
        builder.Services.AddSingleton(_ => new IdentityTemplates(options.Data,
            (options.People ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IFaultPolicy>(sp => sp.GetRequiredService<ConfigurableFaults>());
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        DossierEndpoints.Map(app);
        FaultEndpoints.Map(app);
        IdentityEndpoints.Map(app);
        ControlPage.Map(app);
        return app;
    }

    /// <summary>
    /// Listens on <c>--urls</c> (plain HTTP: reads and test controls) and on <c>--mtls-url</c> (HTTPS with the demo
    /// CA's server certificate; the TLS handshake requires a client certificate that chains to the demo CA, checked
    /// against the CA file, not the operating system's store).
    /// </summary>
    private static void ConfigureMutualTls(WebApplicationBuilder builder, PortalOptions options)
    {
        var pki = DemoPki.LoadOrCreate(options.Pki ?? Path.Combine(options.Data, "pki"));
        foreach (var kiosk in (options.Kiosks ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            pki.EnsureClient(kiosk);
        var ca = X509CertificateLoader.LoadCertificateFromFile(pki.CaCertPath);
        var serverCertificate = pki.ServerCertificate();
        var plainUrls = (builder.Configuration["urls"] ?? "http://127.0.0.1:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var mtls = new Uri(options.MtlsUrl!);
        if (mtls.Scheme != Uri.UriSchemeHttps) throw new ArgumentException("--mtls-url must be an https:// URL");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in plainUrls)
            {
                var u = new Uri(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"));
                kestrel.Listen(Address(u.Host), u.Port);
            }
            kestrel.Listen(Address(mtls.Host), mtls.Port, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => DemoPki.ChainsTo(certificate, ca, DemoPki.ClientAuthentication);
            }));
        });
    }

    private static IPAddress Address(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : host == "localhost" ? IPAddress.Loopback : IPAddress.Any;
}
