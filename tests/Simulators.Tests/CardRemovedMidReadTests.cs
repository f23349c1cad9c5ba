using System.Net;
using System.Text.Json;

namespace Simulators.Tests;

/// <summary>
/// The faulty card "removed mid-read" (POST /api/card with <c>removeAfterApdus</c>), driven with real PN532 frames over
/// the simulator's TCP port: the card answers that many APDUs, then it has left the field like a real card taken off.
/// </summary>
public class CardRemovedMidReadTests
{
    private static readonly byte[] SelectApplet = Hex.Bytes("00A4040C07A0000002471001");
    private static readonly byte[] SelectDg1 = Hex.Bytes("00A4020C020101");
    private static readonly byte[] ReadBlock = Hex.Bytes("00B0000010");

    [Fact]
    public async Task After_n_apdus_the_next_exchange_times_out_and_the_state_shows_no_card()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var pn532 = new Pn532TestClient(await sim.ConnectAsync(sim.Simulator.Pn532Port));
        using (HttpResponseMessage placed = await sim.PostJsonAsync("/api/card",
            new { profile = "nguyen-van-an", requireAccessControl = false, security = false, removeAfterApdus = 3 }))
        {
            placed.EnsureSuccessStatusCode();
            JsonElement card = JsonDocument.Parse(await placed.Content.ReadAsStringAsync()).RootElement.GetProperty("card");
            Assert.True(card.GetProperty("present").GetBoolean());
            Assert.Equal(3, card.GetProperty("removeAfterApdus").GetInt32());
        }
        Assert.Equal(0x01, (await pn532.CommandAsync(0x4A, 0x01, 0x00))[1]);

        // Three APDUs are answered normally; the card is still there until the third answer is out.
        Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
        Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(SelectDg1)));
        Assert.True((await sim.GetJsonAsync("/api/state")).GetProperty("card").GetProperty("present").GetBoolean());
        byte[] block = await pn532.ExchangeAsync(ReadBlock);
        Assert.Equal(0x00, block[0]);
        Assert.Equal("9000", Hex.Of(block.AsSpan(^2)));
        Assert.Equal(1 + 16 + 2, block.Length);

        // Then it has left the field: InDataExchange reports a timeout (status 01), as a PN532 does for a card gone.
        Assert.Equal("01", Hex.Of(await pn532.ExchangeAsync(ReadBlock)));
        Assert.Equal("01", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
        Assert.Equal("0101", Hex.Of(await pn532.CommandAsync(0x00, 0x06))); // attention request: gone
        JsonElement state = (await sim.GetJsonAsync("/api/state")).GetProperty("card");
        Assert.False(state.GetProperty("present").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("profile").ValueKind);
        Assert.Equal("4B00", Hex.Of(await pn532.CommandAsync(0x4A, 0x01, 0x00))); // nothing to list

        // A normal card placed again reads to the end.
        (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", requireAccessControl = false, security = false })).EnsureSuccessStatusCode();
        Assert.Equal(0x01, (await pn532.CommandAsync(0x4A, 0x01, 0x00))[1]);
        for (int i = 0; i < 10; i++) Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
        Assert.True((await sim.GetJsonAsync("/api/state")).GetProperty("card").GetProperty("present").GetBoolean());
    }

    [Fact]
    public async Task A_long_last_answer_is_delivered_whole_before_the_card_leaves()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var pn532 = new Pn532TestClient(await sim.ConnectAsync(sim.Simulator.Pn532Port));
        (await sim.PostJsonAsync("/api/card",
            new { profile = "nguyen-van-an", requireAccessControl = false, security = false, removeAfterApdus = 2 })).EnsureSuccessStatusCode();
        Assert.Equal(0x01, (await pn532.CommandAsync(0x4A, 0x01, 0x00))[1]);
        Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
        // READ BINARY with a short EF id and Le 00: 256 bytes + 9000 fit one extended frame; the card leaves after it.
        byte[] block = await pn532.ExchangeAsync(Hex.Bytes("00B08D0000"));
        Assert.Equal(0x00, block[0]);
        Assert.Equal(1 + 256 + 2, block.Length);
        Assert.False((await sim.GetJsonAsync("/api/state")).GetProperty("card").GetProperty("present").GetBoolean());
        Assert.Equal("01", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
    }

    [Theory]
    [InlineData("{\"profile\":\"nguyen-van-an\",\"removeAfterApdus\":0}")]
    [InlineData("{\"profile\":\"nguyen-van-an\",\"removeAfterApdus\":-5}")]
    public async Task A_count_below_one_is_refused(string body)
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await sim.Http.PostAsync("/api/card", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad-remove-after-apdus", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.False((await sim.GetJsonAsync("/api/state")).GetProperty("card").GetProperty("present").GetBoolean());
    }
}
