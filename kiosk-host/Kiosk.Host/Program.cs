namespace Kiosk.Host;

public static class Program
{
    public static async Task Main(string[] args)
    {
        await using var app = HostApp.Build(args);
        await app.RunAsync();
    }
}
