namespace Kiosk.Simulators.Portal;

public static class Program
{
    public static async Task Main(string[] args)
    {
        await using var app = PortalApp.Build(args);
        await app.RunAsync();
    }
}
