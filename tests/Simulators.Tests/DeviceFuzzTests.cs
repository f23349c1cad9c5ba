using Kiosk.Firmware.Protocols.Pn532;
using Kiosk.Simulators.Peripherals.Fingerprint;
using Kiosk.Simulators.Peripherals.Pn532;
using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.Peripherals.Transport;

namespace Simulators.Tests;

/// <summary>Nothing a client sends may throw inside a device, and a valid frame after the noise is still answered.</summary>
public class DeviceFuzzTests
{
    [Fact]
    public void Pn532_survives_random_bytes_and_random_frames()
    {
        var state = new PeripheralState();
        state.PlaceCard(VirtualCardTests.Profile("nguyen-van-an"), CardType.A);
        var pn532 = new VirtualPn532(state);
        var random = new Random(99);
        for (int round = 0; round < 3000; round++)
        {
            byte[] data = new byte[random.Next(1, 300)];
            random.NextBytes(data);
            if (round % 2 == 0)
            {
                // A well-formed frame with random content reaches the command handlers.
                data[0] = (byte)(round % 4 == 0 ? 0x40 : data[0] % 0x60);
                data = Pn532Frame.Encode(round % 8 == 0 ? (byte)0xD5 : Pn532Frame.HostToPn532, data);
            }
            pn532.Receive(data);
        }
        pn532.OnConnected();
        IReadOnlyList<DeviceOutput> answer = pn532.Receive(Pn532Frame.Encode(Pn532Frame.HostToPn532, [0x02]));
        Assert.Equal(Pn532Frame.Ack(), answer[0].Bytes);
        Assert.Equal(Pn532Frame.Encode(Pn532Frame.Pn532ToHost, [0x03, 0x32, 0x01, 0x06, 0x07]), answer[1].Bytes);
    }

    [Fact]
    public void Fingerprint_module_survives_random_bytes()
    {
        var module = new VirtualFingerprintModule(new PeripheralState());
        var random = new Random(5);
        for (int round = 0; round < 3000; round++)
        {
            byte[] data = new byte[random.Next(1, 300)];
            random.NextBytes(data);
            if (round % 3 == 0 && data.Length > 2)
            {
                data[0] = 0xEF;
                data[1] = 0x01;
            }
            module.Receive(data);
        }
        module.OnConnected();
        byte[] packet = Kiosk.Firmware.Protocols.Fingerprint.FingerprintPacket.Encode(0xFFFFFFFF,
            Kiosk.Firmware.Protocols.Fingerprint.FingerprintPacketType.Command, [0x1D]);
        Assert.Single(module.Receive(packet));
    }
}
