using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Simulators.Tests;

/// <summary>POST /api/card with "security" / "fault": the card gets DG2, DG14, DG15 and EF.SOD from the test PKI in DATA/pki.</summary>
public class CardSecurityPlacementTests
{
    [Fact]
    public async Task Card_with_security_has_sod_and_dg2_and_the_pki_stays_in_the_data_folder()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        try
        {
            HttpResponseMessage bad = await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", fault = "forged" });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("bad-fault", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

            // The default card is like a real CCCD: access control and security.
            (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an" })).EnsureSuccessStatusCode();
            JsonElement card = (await sim.GetJsonAsync("/api/state")).GetProperty("card");
            Assert.True(card.GetProperty("requireAccessControl").GetBoolean());
            Assert.True(card.GetProperty("security").GetBoolean());
            Assert.Equal("none", card.GetProperty("fault").GetString());

            // Explicit false gives the old plain card.
            (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", requireAccessControl = false, security = false })).EnsureSuccessStatusCode();
            card = (await sim.GetJsonAsync("/api/state")).GetProperty("card");
            Assert.False(card.GetProperty("requireAccessControl").GetBoolean());
            Assert.False(card.GetProperty("security").GetBoolean());

            // Security without access control: the files read in plain here.
            (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", requireAccessControl = false })).EnsureSuccessStatusCode();
            card = (await sim.GetJsonAsync("/api/state")).GetProperty("card");
            Assert.True(card.GetProperty("security").GetBoolean());
            JsonElement pki = await sim.GetJsonAsync("/api/pki");
            string trust = pki.GetProperty("trustFolder").GetString()!;
            Assert.StartsWith(sim.DataFolder, trust);
            Assert.NotEmpty(Directory.GetFiles(trust));

            using var pn532 = await sim.ConnectAsync(sim.Simulator.Pn532Port);
            var client = new Pn532TestClient(pn532);
            await client.CommandAsync(0x4A, 0x01, 0x00);
            Assert.Equal("009000", Hex.Of(await client.ExchangeAsync(Hex.Bytes("00A4040C07A0000002471001"))));
            byte[] sod = await client.ExchangeAsync(Hex.Bytes("00B09D0004")); // EF.SOD by SFI
            Assert.Equal(0x77, sod[1]);
            byte[] dg2 = await client.ExchangeAsync(Hex.Bytes("00B0820004"));   // DG2 by SFI
            Assert.Equal(0x75, dg2[1]);

            (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", fault = "tampered-dg13" })).EnsureSuccessStatusCode();
            card = (await sim.GetJsonAsync("/api/state")).GetProperty("card");
            Assert.True(card.GetProperty("security").GetBoolean());
            Assert.Equal("tampered-dg13", card.GetProperty("fault").GetString());
        }
        finally
        {
            sim.DeleteFolder();
        }
    }
}
