using System.Diagnostics;
using Kiosk.Firmware.Protocols.Fingerprint;

namespace Simulators.Tests;

public class FingerprintOverTcpTests
{
    [Fact]
    public async Task Answers_the_r30x_commands()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var module = new FingerprintTestClient(await sim.ConnectAsync(sim.Simulator.FingerprintPort));

        Assert.Equal("00", Hex.Of(await module.CommandAsync(0x13, 0, 0, 0, 0)));
        Assert.Equal("13", Hex.Of(await module.CommandAsync(0x13, 0, 0, 0, 1)));
        Assert.Equal("00" + "0000" + "0000" + "03E8" + "0003" + "FFFFFFFF" + "0002" + "0006", Hex.Of(await module.CommandAsync(0x0F)));
        Assert.Equal("000000", Hex.Of(await module.CommandAsync(0x1D)));
        Assert.Equal("01", Hex.Of(await module.CommandAsync(0x77)));

        Assert.Equal("02", Hex.Of(await module.CommandAsync(0x01)));
        Assert.Equal("06", Hex.Of(await module.CommandAsync(0x02, 0x01)));

        (await sim.Http.PostAsync("/api/finger", null)).EnsureSuccessStatusCode();
        var watch = Stopwatch.StartNew();
        Assert.Equal("00", Hex.Of(await module.CommandAsync(0x01)));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(90), $"image capture took only {watch.Elapsed}");
        (await sim.Http.DeleteAsync("/api/finger")).EnsureSuccessStatusCode();
        Assert.Equal("00", Hex.Of(await module.CommandAsync(0x02, 0x01))); // the image buffer still holds the finger
        Assert.Equal("02", Hex.Of(await module.CommandAsync(0x01)));
    }

    [Fact]
    public async Task Wrong_checksum_gets_a_receive_error_and_noise_gets_nothing()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using var module = new FingerprintTestClient(await sim.ConnectAsync(sim.Simulator.FingerprintPort));
        byte[] packet = FingerprintPacket.Encode(FingerprintPacket.DefaultAddress, FingerprintPacketType.Command, [0x1D]);
        packet[^1] ^= 0x55;
        await module.WriteAsync([0x00, 0x12, 0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x09, 0x00, 0x03]); // noise, a bad packet type
        await module.WriteAsync(packet);
        Assert.Equal("01", Hex.Of(await module.ReadAckAsync()));
        Assert.Equal("000000", Hex.Of(await module.CommandAsync(0x1D)));
    }
}
