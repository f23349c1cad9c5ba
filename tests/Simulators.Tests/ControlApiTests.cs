using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Simulators.Tests;

public class ControlApiTests
{
    [Fact]
    public async Task Page_profiles_and_state()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        string page = await sim.Http.GetStringAsync("/");
        Assert.Contains("Đặt thẻ", page);
        Assert.DoesNotContain("https://", page); // self-contained: no CDN, fonts or scripts from elsewhere

        JsonElement profiles = await sim.GetJsonAsync("/api/profiles");
        Assert.Contains(profiles.EnumerateArray(), p => p.GetProperty("id").GetString() == "nguyen-van-an"
            && p.GetProperty("fullName").GetString() == "Nguyễn Văn An");

        JsonElement state = await sim.GetJsonAsync("/api/state");
        Assert.False(state.GetProperty("card").GetProperty("present").GetBoolean());
        Assert.False(state.GetProperty("finger").GetProperty("present").GetBoolean());
        Assert.Equal("ok", state.GetProperty("printer").GetProperty("paper").GetString());
        Assert.False(state.GetProperty("connections").GetProperty("pn532").GetBoolean());

        using var pn532 = await sim.ConnectAsync(sim.Simulator.Pn532Port);
        (await sim.PostJsonAsync("/api/card", new { profile = "tran-thi-mai" })).EnsureSuccessStatusCode();
        (await sim.Http.PostAsync("/api/finger", null)).EnsureSuccessStatusCode();
        (await sim.PostJsonAsync("/api/printer", new { coverOpen = true })).EnsureSuccessStatusCode();
        for (int i = 0; i < 50 && !(await sim.GetJsonAsync("/api/state")).GetProperty("connections").GetProperty("pn532").GetBoolean(); i++)
            await Task.Delay(20);
        state = await sim.GetJsonAsync("/api/state");
        Assert.Equal("tran-thi-mai", state.GetProperty("card").GetProperty("profile").GetString());
        Assert.Equal("A", state.GetProperty("card").GetProperty("type").GetString());
        Assert.True(state.GetProperty("finger").GetProperty("present").GetBoolean());
        Assert.True(state.GetProperty("printer").GetProperty("coverOpen").GetBoolean());
        Assert.Equal("ok", state.GetProperty("printer").GetProperty("paper").GetString());
        Assert.False(state.GetProperty("printer").GetProperty("online").GetBoolean());
        Assert.True(state.GetProperty("connections").GetProperty("pn532").GetBoolean());

        (await sim.Http.DeleteAsync("/api/card")).EnsureSuccessStatusCode();
        Assert.False((await sim.GetJsonAsync("/api/state")).GetProperty("card").GetProperty("present").GetBoolean());
    }

    [Theory]
    [InlineData("/api/card", "{\"profile\":\"nobody\"}", "unknown-profile")]
    [InlineData("/api/card", "{\"profile\":\"nguyen-van-an\",\"type\":\"C\"}", "bad-card-type")]
    [InlineData("/api/card", "{}", "missing-profile")]
    [InlineData("/api/card", "{\"profile\":", "bad-json")]
    [InlineData("/api/card", "", "empty-body")]
    [InlineData("/api/card", "null", "bad-json")]
    [InlineData("/api/card", "[1,2]", "bad-json")]
    [InlineData("/api/printer", "{\"paper\":\"lots\"}", "bad-paper")]
    [InlineData("/api/printer", "{\"coverOpen\":\"yes\"}", "bad-json")]
    public async Task Bad_input_gets_a_400_with_a_typed_error_and_changes_nothing(string path, string body, string expectedError)
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        string before = (await sim.GetJsonAsync("/api/state")).GetRawText();
        HttpResponseMessage response = await sim.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expectedError, error.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(before, (await sim.GetJsonAsync("/api/state")).GetRawText());
    }

    [Fact]
    public void Command_line_is_parsed_strictly()
    {
        var options = Kiosk.Simulators.Peripherals.SimulatorOptions.Parse(
            ["--pn532-port", "7010", "--fingerprint-port", "7011", "--printer-port", "9100", "--control-urls", "http://127.0.0.1:8091", "--data", "var/peripherals"]);
        Assert.Equal((7010, 7011, 9100, "http://127.0.0.1:8091", "var/peripherals"),
            (options.Pn532Port, options.FingerprintPort, options.PrinterPort, options.ControlUrls, options.DataFolder));
        Assert.Throws<Kiosk.Simulators.Peripherals.CommandLineException>(() => Kiosk.Simulators.Peripherals.SimulatorOptions.Parse(["--pn532-port", "x"]));
        Assert.Throws<Kiosk.Simulators.Peripherals.CommandLineException>(() => Kiosk.Simulators.Peripherals.SimulatorOptions.Parse(["--bogus", "1"]));
        Assert.Throws<Kiosk.Simulators.Peripherals.CommandLineException>(() => Kiosk.Simulators.Peripherals.SimulatorOptions.Parse(["--data"]));
    }
}
