using Kiosk.Simulators.Portal.Dossiers;
using Kiosk.Simulators.Portal.Faults;

namespace Kiosk.Simulators.Portal;

/// <summary>Command-line options: <c>--urls URL --data DIR</c>.</summary>
public sealed class PortalOptions
{
    public string Data { get; set; } = "var/portal";
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
        Directory.CreateDirectory(options.Data);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => new DossierRepository(Path.Combine(options.Data, "portal.db")));
        builder.Services.AddSingleton<ConfigurableFaults>();
        builder.Services.AddSingleton<IFaultPolicy>(sp => sp.GetRequiredService<ConfigurableFaults>());
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        DossierEndpoints.Map(app);
        FaultEndpoints.Map(app);
        return app;
    }
}
