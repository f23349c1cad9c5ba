using Kiosk.Firmware.Protocols.Fingerprint;
using Kiosk.Firmware.Protocols.Pn532;
using Kiosk.DeviceContract;

namespace Firmware.Tests;

/// <summary>Random and mutated inputs: the decoders never throw, never claim more than they were given, and always make progress.</summary>
public class FuzzTests
{
    private static byte[] RandomInput(Random random, Func<byte[]> validFrame)
    {
        int mode = random.Next(4);
        byte[] bytes;
        if (mode == 0)
        {
            bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            return bytes;
        }
        // Valid frames, then mutated: flipped bytes, truncation, noise around them.
        bytes = validFrame();
        if (mode >= 2 && bytes.Length > 0)
        {
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }
        if (mode == 3) bytes = bytes.Take(random.Next(bytes.Length + 1)).ToArray();
        byte[] noise = new byte[random.Next(0, 8)];
        random.NextBytes(noise);
        return noise.Concat(bytes).Concat(noise).ToArray();
    }

    [Fact]
    public void Pn532DecoderNeverThrowsAndAlwaysProgresses()
    {
        var random = new Random(532);
        for (int n = 0; n < 4000; n++)
        {
            byte[] input = RandomInput(random, () =>
            {
                byte[] data = new byte[random.Next(0, 400)];
                random.NextBytes(data);
                return Pn532Frame.Encode((byte)random.Next(256), data);
            });
            int offset = 0;
            int guard = 0;
            while (offset < input.Length)
            {
                Pn532FrameDecodeResult result = Pn532Frame.TryDecode(input, offset, input.Length - offset);
                Assert.InRange(result.Consumed, 0, input.Length - offset);
                if (result.Kind == Pn532FrameKind.NeedMore) break;
                Assert.True(result.Consumed > 0, $"case {n}: {result.Kind} consumed nothing");
                if (result.Kind == Pn532FrameKind.Information) Assert.NotNull(result.Data);
                offset += result.Consumed;
                Assert.True(++guard <= input.Length);
            }
        }
    }

    [Fact]
    public void FingerprintDecoderNeverThrowsAndAlwaysProgresses()
    {
        var random = new Random(307);
        for (int n = 0; n < 4000; n++)
        {
            byte[] input = RandomInput(random, () =>
            {
                byte[] payload = new byte[random.Next(0, FingerprintPacket.MaxPayload + 1)];
                random.NextBytes(payload);
                var types = new[] { FingerprintPacketType.Command, FingerprintPacketType.Data, FingerprintPacketType.Ack, FingerprintPacketType.EndOfData };
                return FingerprintPacket.Encode((uint)random.Next(), types[random.Next(types.Length)], payload);
            });
            int offset = 0;
            while (offset < input.Length)
            {
                FingerprintDecodeResult result = FingerprintPacket.TryDecode(input, offset, input.Length - offset);
                Assert.InRange(result.Consumed, 0, input.Length - offset);
                if (result.Status == FingerprintDecodeStatus.NeedMore) break;
                Assert.True(result.Consumed > 0, $"case {n}: {result.Status} consumed nothing");
                offset += result.Consumed;
            }
        }
    }

    [Fact]
    public void Utf8DecodeNeverThrowsOnRandomBytes()
    {
        var random = new Random(8);
        for (int n = 0; n < 3000; n++)
        {
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            string decoded = Utf8.Decode(bytes);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes), decoded);
        }
    }
}
