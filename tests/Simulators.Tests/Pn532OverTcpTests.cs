using System.Diagnostics;
using System.Net.Sockets;
using Kiosk.Firmware.Protocols.Pn532;
using Kiosk.Simulators.VirtualCard.Lds;

namespace Simulators.Tests;

public class Pn532OverTcpTests
{
    private static readonly byte[] SelectApplet = Hex.Bytes("00A4040C07A0000002471001");

    [Fact]
    public async Task Firmware_version_after_wakeup_bytes_and_noise()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var pn532 = new Pn532TestClient(await sim.ConnectAsync(sim.Simulator.Pn532Port));
        await pn532.WriteAsync([0x13, 0x37, 0xFF, 0x01]); // line noise before the wake-up
        byte[] version = await pn532.CommandAsync(0x02);
        Assert.Equal("0332010607", Hex.Of(version));
        Assert.Equal("15", Hex.Of(await pn532.CommandAsync(0x14, 0x01, 0x14, 0x01)));
        Assert.Equal("33", Hex.Of(await pn532.CommandAsync(0x32, 0x05, 0xFF, 0x01, 0x02)));
    }

    [Fact]
    public async Task Lists_no_target_without_a_card_then_reads_the_card_placed_on_the_control_api()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var pn532 = new Pn532TestClient(await sim.ConnectAsync(sim.Simulator.Pn532Port));
        Assert.Equal("4B00", Hex.Of(await pn532.CommandAsync(0x4A, 0x01, 0x00)));

        // The old plain card (no access control, no SOD): its files read without PACE.
        (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", requireAccessControl = false, security = false })).EnsureSuccessStatusCode();
        byte[] list = await pn532.CommandAsync(0x4A, 0x01, 0x00);
        // 4B, NbTg 1, Tg 1, SENS_RES 00 04, SEL_RES 20, NFCID length 4, NFCID (08 xx xx xx), ATS 05 78 80 81 02
        Assert.Equal("4B0101000420040", Hex.Of(list)[..15]);
        Assert.Equal(0x08, list[7]);
        Assert.Equal("0578808102", Hex.Of(list.AsSpan(11)));

        Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
        var profile = VirtualCardTests.Profile("nguyen-van-an");
        byte[] dg1 = VirtualCardTests.ReadFile(apdu =>
        {
            byte[] answer = pn532.ExchangeAsync(apdu).GetAwaiter().GetResult();
            Assert.Equal(0x00, answer[0]);
            return answer[1..];
        }, "0101");
        Assert.Equal(LdsFiles.Dg1(profile), dg1);

        // A whole 256-byte block in one answer: 259 bytes of DataIn travel in an extended frame.
        Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(Hex.Bytes("00A4020C02010D"))));
        byte[] block = await pn532.ExchangeAsync(Hex.Bytes("00B0000000"));
        Assert.Equal(1 + 256 + 2, block.Length);
        Assert.Equal(LdsFiles.Dg13(profile)[..256], block[1..257]);

        Assert.Equal("0100", Hex.Of(await pn532.CommandAsync(0x00, 0x06)));
        (await sim.Http.DeleteAsync("/api/card")).EnsureSuccessStatusCode();
        Assert.Equal("0101", Hex.Of(await pn532.CommandAsync(0x00, 0x06)));
        Assert.Equal("01", Hex.Of(await pn532.ExchangeAsync(SelectApplet))); // card gone: timeout

        // A new placement is a new card: the old target stays gone until listed again.
        (await sim.PostJsonAsync("/api/card", new { profile = "tran-thi-mai" })).EnsureSuccessStatusCode();
        Assert.Equal("01", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
        Assert.Equal(0x01, (await pn532.CommandAsync(0x4A, 0x01, 0x00))[1]);
        Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
        Assert.Equal("5300", Hex.Of(await pn532.CommandAsync(0x52, 0x01)));
        Assert.Equal("27", Hex.Of(await pn532.ExchangeAsync(SelectApplet))); // released: wrong context
    }

    [Fact]
    public async Task Type_b_card_answers_only_a_type_b_poll()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var pn532 = new Pn532TestClient(await sim.ConnectAsync(sim.Simulator.Pn532Port));
        (await sim.PostJsonAsync("/api/card", new { profile = "le-hoang-nam", type = "B" })).EnsureSuccessStatusCode();
        Assert.Equal("4B00", Hex.Of(await pn532.CommandAsync(0x4A, 0x01, 0x00)));
        byte[] list = await pn532.CommandAsync(0x4A, 0x01, 0x03, 0x00);
        Assert.Equal("4B010150", Hex.Of(list.AsSpan(0, 4)));
        Assert.Equal("009000", Hex.Of(await pn532.ExchangeAsync(SelectApplet)));
    }

    [Fact]
    public async Task Host_chaining_nack_garbled_and_unknown_commands()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var pn532 = new Pn532TestClient(await sim.ConnectAsync(sim.Simulator.Pn532Port));
        (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an" })).EnsureSuccessStatusCode();
        await pn532.CommandAsync(0x4A, 0x01, 0x00);

        // SELECT split by the host with the MI bit (Tg | 0x40).
        Assert.Equal("4100", Hex.Of(await pn532.CommandAsync([0x40, 0x41, .. SelectApplet[..5]])));
        Assert.Equal("41009000", Hex.Of(await pn532.CommandAsync([0x40, 0x01, .. SelectApplet[5..]])));

        // NACK: the last response again, without an ACK.
        await pn532.WriteAsync(Pn532Frame.Nack());
        Assert.Equal("41009000", Hex.Of(await pn532.ReadResponseAsync()));

        // A frame with a wrong data checksum is ignored; the next good one is answered.
        byte[] bad = Pn532TestClient.CommandFrame(0x02);
        bad[^2] ^= 0xFF;
        await pn532.WriteAsync(bad);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pn532.ReadFrameAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal("0332010607", Hex.Of(await pn532.CommandAsync(0x02)));

        // An unknown command: ACK, then the syntax-error frame.
        await pn532.WriteAsync(Pn532TestClient.CommandFrame(0x99, 0x01));
        Assert.Equal(Pn532FrameKind.Ack, (await pn532.ReadFrameAsync()).Kind);
        Assert.Equal(Pn532FrameKind.ApplicationError, (await pn532.ReadFrameAsync()).Kind);
    }

    [Fact]
    public async Task Exchange_takes_air_time_and_a_new_client_replaces_the_old()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var first = new Pn532TestClient(await sim.ConnectAsync(sim.Simulator.Pn532Port));
        (await sim.PostJsonAsync("/api/card", new { profile = "nguyen-van-an", requireAccessControl = false, security = false })).EnsureSuccessStatusCode();
        await first.CommandAsync(0x4A, 0x01, 0x00);
        await first.ExchangeAsync(SelectApplet);
        await first.ExchangeAsync(Hex.Bytes("00A4020C02010D"));
        var watch = Stopwatch.StartNew();
        await first.ExchangeAsync(Hex.Bytes("00B0000000"));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(20), $"a 256-byte read took only {watch.Elapsed}");

        using TcpClient secondClient = await sim.ConnectAsync(sim.Simulator.Pn532Port);
        using var second = new Pn532TestClient(secondClient);
        Assert.Equal("0332010607", Hex.Of(await second.CommandAsync(0x02)));
        await Assert.ThrowsAsync<IOException>(() => first.ReadFrameAsync());
    }
}
