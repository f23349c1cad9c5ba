using Kiosk.EdgeBroker.Hosting;

namespace EdgeBroker.Tests;

public class CommandLineBridgeTests
{
    [Fact]
    public void Without_bridge_url_there_is_no_bridge()
    {
        var run = Assert.IsType<RunBroker>(CommandLine.Parse(["--port", "0"]));
        Assert.Null(run.Options.Bridge);
    }

    [Fact]
    public void Bridge_options_are_read()
    {
        string passwordFile = Path.GetTempFileName();
        try
        {
            var run = Assert.IsType<RunBroker>(CommandLine.Parse([
                "--bridge-url", "mqtts://ops.example.vn", "--kiosk-id", "hn-hk-0001", "--bridge-user", "kiosk-hn-hk-0001",
                "--bridge-password-file", passwordFile, "--bridge-queue-max", "500", "--bridge-health-seconds", "30",
                "--bridge-queue-max-age-hours", "24",
            ]));
            Assert.NotNull(run.Options.Bridge);
            Assert.Equal(8883, run.Options.Bridge!.Port);
            Assert.True(run.Options.Bridge.UseTls);
            Assert.Equal("hn-hk-0001", run.Options.Bridge.KioskId);
            Assert.Equal(500, run.Options.Bridge.QueueMaxMessages);
            Assert.Equal(TimeSpan.FromSeconds(30), run.Options.Bridge.HealthInterval);
            Assert.Equal(TimeSpan.FromHours(24), run.Options.Bridge.QueueMaxAge);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    [Theory]
    [InlineData("--bridge-url", "mqtt://central:1883")] // no kiosk id
    [InlineData("--kiosk-id", "k1")] // no url
    [InlineData("--bridge-url", "http://central", "--kiosk-id", "k1")]
    [InlineData("--bridge-url", "mqtt://central", "--kiosk-id", "k/1")]
    [InlineData("--bridge-url", "mqtt://central", "--kiosk-id", "k1", "--bridge-ca", "ca.pem")] // CA without TLS
    [InlineData("--bridge-url", "mqtt://central", "--kiosk-id", "k1", "--bridge-password-file", "p")] // no user
    [InlineData("--bridge-url", "mqtts://central", "--kiosk-id", "k1", "--bridge-cert", "c.pem")] // cert without key
    [InlineData("--bridge-url", "mqtt://central", "--kiosk-id", "k1", "--bridge-queue-max-age-hours", "0")]
    [InlineData("--bridge-queue-max-age-hours", "24")] // no url
    public void Bad_bridge_options_are_refused(params string[] args)
    {
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));
    }
}
