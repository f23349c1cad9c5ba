using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Filing;

public class HostOptionsTests
{
    [Fact]
    public async Task Command_line_binds_the_typed_options()
    {
        using var dir = new Support.TempDir();
        await using var app = HostApp.Build([
            "--data", dir.Path, "--broker", "10.0.0.5:1884", "--secrets", "/run/s", "--device", "mcu-07",
            "--portal", "http://portal.test:9000", "--kiosk-id", "kiosk-nghia-do-1", "--idle-seconds", "60", "--mqtt", "false",
        ]);
        var o = app.Services.GetRequiredService<HostOptions>();
        Assert.Equal(dir.Path, o.Data);
        Assert.Equal(("10.0.0.5", 1884), o.BrokerEndpoint());
        Assert.Equal("/run/s", o.Secrets);
        Assert.Equal("mcu-07", o.Device);
        Assert.Equal("http://portal.test:9000", o.Portal);
        Assert.Equal("kiosk-nghia-do-1", o.EffectiveKioskId);
        Assert.Equal(60, o.IdleSeconds);
        Assert.False(o.Mqtt);
    }
}
