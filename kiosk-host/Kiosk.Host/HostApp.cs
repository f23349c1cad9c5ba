using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Filing;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Web;

namespace Kiosk.Host;

/// <summary>Builds the kiosk host web app; used by Program and by in-process tests.</summary>
public static class HostApp
{
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
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
        var options = new HostOptions();
        builder.Configuration.Bind(options);
        // Dashed names (--kiosk-id, --idle-seconds) do not bind to properties by themselves.
        options.KioskId = builder.Configuration["kiosk-id"] ?? options.KioskId;
        if (int.TryParse(builder.Configuration["idle-seconds"], out var idleSeconds)) options.IdleSeconds = idleSeconds;
        options.PortalCa = builder.Configuration["portal-ca"] ?? options.PortalCa;
        options.ClientCert = builder.Configuration["client-cert"] ?? options.ClientCert;
        options.ClientKey = builder.Configuration["client-key"] ?? options.ClientKey;
        Directory.CreateDirectory(options.Data);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new KioskStore(options.Data));
        services.AddSingleton(_ => Places.AdminUnits.LoadDefault());
        services.AddHttpClient<DossierLookup>(c =>
        {
            c.BaseAddress = new Uri(options.Portal.TrimEnd('/') + "/");
            c.Timeout = TimeSpan.FromSeconds(5);
        }).ConfigurePrimaryHttpMessageHandler(() => PortalTls.CreateHandler(options.PortalCa, options.ClientCert, options.ClientKey));
        services.AddSingleton<EventHub>();
        services.AddHttpClient<PortalClient>(c =>
        {
            c.BaseAddress = new Uri(options.Portal.TrimEnd('/') + "/");
            c.Timeout = TimeSpan.FromSeconds(10);
        }).ConfigurePrimaryHttpMessageHandler(() => PortalTls.CreateHandler(options.PortalCa, options.ClientCert, options.ClientKey));
        services.AddSingleton<FaceAttachments>();
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        AddSync(services, builder.Configuration);
        if (options.Mqtt)
        {
            services.AddSingleton<MqttFirmwareLink>();
            services.AddSingleton<IFirmwareLink>(sp => sp.GetRequiredService<MqttFirmwareLink>());
            services.AddHostedService(sp => sp.GetRequiredService<MqttFirmwareLink>());
        }
        else
        {
            services.AddSingleton<IFirmwareLink, NoFirmwareLink>();
        }
        services.AddSingleton<ICardChannel, FirmwareCardChannel>();
        services.AddSingleton<FilingService>();
        services.AddSingleton<CardTrustMonitor>();
        services.AddSingleton<SessionManager>();
        configure?.Invoke(services);

        var app = builder.Build();

        // Forward device events to the page (no personal data in them).
        var hub = app.Services.GetRequiredService<EventHub>();
        app.Services.GetRequiredService<IFirmwareLink>().Changed += ev => hub.Publish(ev switch
        {
            DeviceEvent.CardPlaced or DeviceEvent.CardRemoved => "card",
            DeviceEvent.FingerPlaced or DeviceEvent.FingerRemoved => "finger",
            DeviceEvent.Printer => "printer",
            _ => "device",
        }, ApiEndpoints.DescribeEvent(ev));
        _ = app.Services.GetRequiredService<SessionManager>();

        app.Use(async (context, next) =>
        {
            // Everything this host serves may show or hold personal data: never cache.
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.Pragma = "no-cache";
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next();
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapGet("/maintenance", () => Results.File(Path.Combine(app.Environment.WebRootPath, "maintenance.html"), "text/html; charset=utf-8"));
        ApiEndpoints.Map(app);
        Places.PlaceEndpoints.Map(app);
        FilingEndpoints.Map(app);
        SpeechEndpoints.Map(app);
        SyncEndpoints.Map(app);
        CardEndpoints.Map(app);
        return app;
    }

    /// <summary>Store and sync services beside the relay: status pull-back, retention (options in <see cref="SyncOptions"/>).</summary>
    private static void AddSync(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(SyncOptions.From(configuration));
        services.AddSingleton<StatusPuller>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusPuller>());
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
    }
}
