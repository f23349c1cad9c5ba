using Kiosk.Ctl;
using Kiosk.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Ctl;

public class KioskctlTests
{
    private const string AllUp = """
        {"kioskId":"kiosk-mcu-01","components":{"broker":"connected","firmware":"online","reader":"ok","fingerprint":"ok","printer":"ok","portal":"reachable"},
         "queue":{"pending":0,"oldestPendingSeconds":0},"sync":{"lastError":null},"version":"0.1.0"}
        """;

    private static async Task<(WebApplication App, string Url)> Serve(string document)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/api/status", () => Results.Text(document, "application/json"));
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Cli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task All_connected_exits_0_with_a_table()
    {
        var (app, url) = await Serve(AllUp);
        await using var _ = app;
        var (code, output, _) = await Run("status", "--host", url);
        Assert.Equal(0, code);
        Assert.Contains("kiosk-mcu-01", output);
        Assert.Contains("printer", output);
        Assert.Contains("All components connected.", output);
    }

    [Fact]
    public async Task Something_down_exits_1_and_json_prints_the_document()
    {
        var (app, url) = await Serve(AllUp.Replace("\"printer\":\"ok\"", "\"printer\":\"paper-out\""));
        await using var _ = app;
        var (code, output, _) = await Run("status", "--host", url);
        Assert.Equal(1, code);
        Assert.Contains("paper-out   <-- down", output);

        var (jsonCode, json, _) = await Run("status", "--json", "--host", url);
        Assert.Equal(1, jsonCode);
        Assert.Contains("\"paper-out\"", json);
    }

    [Fact]
    public async Task Unreachable_host_exits_2_with_a_clear_message()
    {
        var port = PortalServer.FreePort();
        var (code, _, error) = await Run("status", "--host", $"http://127.0.0.1:{port}");
        Assert.Equal(2, code);
        Assert.Contains("cannot reach the kiosk host", error);
    }

    [Fact]
    public async Task Usage_errors()
    {
        Assert.Equal(ExitCodes.Usage, (await Run()).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("frobnicate")).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("status", "--bogus", "1")).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("status", "--host")).Code);
        Assert.Equal(0, (await Run("--help")).Code);
    }
}
