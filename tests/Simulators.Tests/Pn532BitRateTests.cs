using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Firmware.Protocols.Pn532;
using Kiosk.Simulators.Peripherals.Pn532;
using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.Peripherals.Transport;

namespace Simulators.Tests;

/// <summary>The bit rate a placement offers (ATS / ATQB), InPSL, the air log, and access control per placement.</summary>
public class Pn532BitRateTests
{
    private static (VirtualPn532 Pn532, PeripheralState State) Reader(CardType type, int bitRate, bool accessControl = false)
    {
        var state = new PeripheralState();
        state.PlaceCard(VirtualCardTests.Profile("nguyen-van-an"), type, new CardPlacementOptions { MaxBitRateKbps = bitRate, RequireAccessControl = accessControl });
        return (new VirtualPn532(state), state);
    }

    private static (TimeSpan Delay, byte[] Data) Command(VirtualPn532 pn532, params byte[] command)
    {
        IReadOnlyList<DeviceOutput> outputs = pn532.Receive(Pn532Frame.Encode(Pn532Frame.HostToPn532, command));
        Assert.Equal(Pn532Frame.Ack(), outputs[0].Bytes);
        Pn532FrameDecodeResult frame = Pn532Frame.TryDecode(outputs[1].Bytes, 0, outputs[1].Bytes.Length);
        Assert.Equal(Pn532FrameKind.Information, frame.Kind);
        Assert.Equal(command[0] + 1, frame.Data[0]);
        return (outputs[1].DelayBefore, frame.Data[1..]);
    }

    [Theory]
    [InlineData(106, 0x80)]
    [InlineData(212, 0x91)]
    [InlineData(424, 0xB3)]
    [InlineData(848, 0xF7)]
    public void Type_a_ats_offers_the_placement_bit_rate(int bitRate, byte ta)
    {
        var (pn532, _) = Reader(CardType.A, bitRate);
        byte[] list = Command(pn532, 0x4A, 0x01, 0x00).Data;
        Assert.Equal("0578" + ta.ToString("X2") + "8102", Hex.Of(list.AsSpan(list.Length - 5)));
    }

    [Fact]
    public void Type_b_atqb_offers_the_placement_bit_rate()
    {
        var (pn532, _) = Reader(CardType.B, 424);
        Assert.Equal("00", Hex.Of(Command(pn532, 0x4A, 0x01, 0x00).Data)); // not a type A card
        byte[] list = Command(pn532, 0x4A, 0x01, 0x03, 0x00).Data;
        // NbTg, Tg, ATQB 50 PUPI(4) AppData(4) B3 81 71, ATTRIB_RES 01 00
        Assert.Equal(0x50, list[2]);
        Assert.Equal("B38171", Hex.Of(list.AsSpan(11, 3)));
    }

    [Fact]
    public void InPsl_switches_up_to_the_offered_rate_and_speeds_up_exchanges()
    {
        var (pn532, _) = Reader(CardType.A, 424);
        Command(pn532, 0x4A, 0x01, 0x00);
        byte[] select = Hex.Bytes("00A4040C07A0000002471001");
        TimeSpan slow = Command(pn532, [0x40, 0x01, .. select]).Delay;
        Assert.Equal("12", Hex.Of(Command(pn532, 0x4E, 0x01, 0x03, 0x03).Data)); // 848: not offered
        Assert.Equal("12", Hex.Of(Command(pn532, 0x4E, 0x01, 0x02, 0x01).Data)); // different each way
        Assert.Equal("27", Hex.Of(Command(pn532, 0x4E, 0x02, 0x02, 0x02).Data)); // no such target
        Assert.Equal("00", Hex.Of(Command(pn532, 0x4E, 0x01, 0x02, 0x02).Data));
        Assert.Equal(424, pn532.ActiveBitRateKbps);
        TimeSpan fast = Command(pn532, [0x40, 0x01, .. select]).Delay;
        Assert.Equal(AirInterfaceTiming.Exchange(select.Length, 2, 106), slow);
        Assert.Equal(AirInterfaceTiming.Exchange(select.Length, 2, 424), fast);
        // A new activation starts again at 106 kbit/s.
        Command(pn532, 0x4A, 0x01, 0x00);
        Assert.Equal(106, pn532.ActiveBitRateKbps);
    }

    [Fact]
    public void Air_log_counts_apdus_bytes_and_time_and_resets()
    {
        var (pn532, state) = Reader(CardType.A, 424);
        Command(pn532, 0x4A, 0x01, 0x00);
        Command(pn532, 0x4E, 0x01, 0x02, 0x02);
        Command(pn532, [0x40, 0x01, .. Hex.Bytes("00A4040C07A0000002471001")]);
        Command(pn532, [0x40, 0x01, .. Hex.Bytes("00B0810004")]);
        AirSnapshot air = state.Card!.Air.Snapshot();
        Assert.Equal(2, air.Exchanges.Count);
        Assert.Equal(12 + 5, air.CommandBytes);
        Assert.Equal(2 + 6, air.ResponseBytes);
        TimeSpan expected = AirInterfaceTiming.ActivationTime + AirInterfaceTiming.BitRateSwitch()
            + AirInterfaceTiming.Exchange(12, 2, 424) + AirInterfaceTiming.Exchange(5, 6, 424);
        Assert.Equal(expected, air.AirTime);
        state.Card.Air.Reset();
        Assert.Empty(state.Card.Air.Snapshot().Exchanges);
    }

    [Fact]
    public void Host_chaining_is_timed_once_with_the_whole_apdu()
    {
        var (pn532, state) = Reader(CardType.A, 106);
        Command(pn532, 0x4A, 0x01, 0x00);
        byte[] apdu = Hex.Bytes("00A4040C07A0000002471001");
        Assert.Equal(TimeSpan.Zero, Command(pn532, [0x40, 0x41, .. apdu[..6]]).Delay);
        TimeSpan last = Command(pn532, [0x40, 0x01, .. apdu[6..]]).Delay;
        Assert.Equal(AirInterfaceTiming.Exchange(apdu.Length, 2), last);
        Assert.Equal((apdu.Length, 2), state.Card!.Air.Snapshot().Exchanges.Single());
    }

    [Fact]
    public void Placement_with_access_control_refuses_plain_reads()
    {
        var (pn532, _) = Reader(CardType.A, 106, accessControl: true);
        Command(pn532, 0x4A, 0x01, 0x00);
        Assert.Equal("009000", Hex.Of(Command(pn532, [0x40, 0x01, .. Hex.Bytes("00A4040C07A0000002471001")]).Data));
        Assert.Equal("006982", Hex.Of(Command(pn532, [0x40, 0x01, .. Hex.Bytes("00B0810004")]).Data));
    }

    [Fact]
    public async Task Control_api_places_cards_with_bit_rate_and_access_control_and_reports_air_time()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await sim.Http.GetAsync("/api/card/air")).StatusCode);
        HttpResponseMessage bad = await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", bitRate = 300 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("bad-bit-rate", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", type = "A", bitRate = 424, requireAccessControl = true })).EnsureSuccessStatusCode();
        JsonElement card = (await sim.GetJsonAsync("/api/state")).GetProperty("card");
        Assert.Equal(424, card.GetProperty("bitRate").GetInt32());
        Assert.True(card.GetProperty("requireAccessControl").GetBoolean());

        using var pn532 = await sim.ConnectAsync(sim.Simulator.Pn532Port);
        var client = new Pn532TestClient(pn532);
        await client.CommandAsync(0x4A, 0x01, 0x00);
        await client.CommandAsync(0x4E, 0x01, 0x02, 0x02);
        byte[] answer = await client.ExchangeAsync(Hex.Bytes("00A4040C07A0000002471001"));
        Assert.Equal("009000", Hex.Of(answer));

        JsonElement air = await sim.GetJsonAsync("/api/card/air?bitRate=106");
        Assert.Equal(1, air.GetProperty("exchanges").GetInt32());
        Assert.Equal(12, air.GetProperty("commandBytes").GetInt32());
        Assert.Equal(2, air.GetProperty("responseBytes").GetInt32());
        Assert.True(air.GetProperty("airTimeMs").GetDouble() > AirInterfaceTiming.ActivationTime.TotalMilliseconds);
        Assert.Equal(AirInterfaceTiming.Exchange(12, 2, 106).TotalMilliseconds, air.GetProperty("atBitRate").GetProperty("airTimeMs").GetDouble(), 6);
        Assert.Equal(HttpStatusCode.BadRequest, (await sim.Http.GetAsync("/api/card/air?bitRate=7")).StatusCode);

        JsonElement reset = await (await sim.Http.DeleteAsync("/api/card/air")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, reset.GetProperty("exchanges").GetInt32());
        Assert.Equal(0, reset.GetProperty("airTimeMs").GetDouble());
    }
}
