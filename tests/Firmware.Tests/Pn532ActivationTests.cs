using Kiosk.Firmware.App;
using Kiosk.Firmware.Devices.Pn532;
using Kiosk.DeviceContract;

namespace Firmware.Tests;

/// <summary>Type A/B activation data (ATS, ATQB), FSC/FWI, bit-rate negotiation with InPSL, and the card event's bitRate.</summary>
public class Pn532ActivationTests
{
    private readonly FakeClock _clock = new();

    [Fact]
    public void ParsesTypeAAtsFrameSizeWaitingTimeAndBitRates()
    {
        // Tg 01, SENS_RES 0004, SEL_RES 20, NFCID 4 bytes, ATS: TL 05, T0 78 (FSCI 8), TA 22 (424 both ways), TB 81 (FWI 8), TC 02.
        Pn532Target t = Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 0004 20 04 08A1B2C3 05 78 22 81 02"), CardType.TypeA);
        Assert.Equal(1, t.TargetNumber);
        Assert.Equal("0578228102", Hex.Of(t.Ats));
        Assert.Equal(256, t.MaxFrameSize);
        Assert.Equal(8, t.FrameWaitingInteger);
        Assert.Equal(2, t.CardToReaderRates);
        Assert.Equal(2, t.ReaderToCardRates);
        Assert.Equal(424, Pn532Commands.ChooseBitRate(t, 424));
        Assert.Equal(106, t.BitRateKbps);
    }

    [Fact]
    public void SameBitRateOnlyFlagKeepsTheCommonRates()
    {
        // TA 80|70|01: the card sends at 212/424/848 but receives only at 212, and wants the same both ways.
        Pn532Target t = Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 0004 20 04 08000000 05 78 F1 81 02"), CardType.TypeA);
        Assert.Equal(212, Pn532Commands.ChooseBitRate(t, 848));
        // TA 80: 106 only (the virtual card's default ATS).
        Pn532Target plain = Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 0004 20 04 08000000 05 78 80 81 02"), CardType.TypeA);
        Assert.Equal(106, Pn532Commands.ChooseBitRate(plain, 848));
    }

    [Fact]
    public void ParsesTypeBAtqbProtocolInfo()
    {
        // ATQB 50 PUPI(4) AppData(4) ProtocolInfo: 33 (212+424 both ways), 81 (FSCI 8, ISO 14443-4), 71 (FWI 7); ATTRIB_RES 01 00.
        Pn532Target t = Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 50 11223344 00000000 33 81 71 01 00"), CardType.TypeB);
        Assert.Equal(CardType.TypeB, t.Type);
        Assert.Null(t.Ats);
        Assert.Equal(256, t.MaxFrameSize);
        Assert.Equal(7, t.FrameWaitingInteger);
        Assert.Equal(424, Pn532Commands.ChooseBitRate(t, 424));
        Assert.Equal(212, Pn532Commands.ChooseBitRate(t, 212));
    }

    [Fact]
    public void MissingOrShortActivationDataKeepsIsoDefaults()
    {
        Pn532Target a = Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 0004 20"), CardType.TypeA);
        Assert.Null(a.Ats);
        Assert.Equal(32, a.MaxFrameSize);
        Assert.Equal(4, a.FrameWaitingInteger);
        Assert.Equal(106, Pn532Commands.ChooseBitRate(a, 848));
        Pn532Target b = Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 50 1122"), CardType.TypeB);
        Assert.Equal(32, b.MaxFrameSize);
        // TL claims more bytes than there are.
        Pn532Target c = Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 0004 20 04 08000000 09 78 22"), CardType.TypeA);
        Assert.Null(c.Ats);
    }

    [Fact]
    public void TypeADataIsNoTypeBCard()
    {
        Assert.Null(Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 0004 20 04 01020304 05 78807002"), CardType.TypeB));
        Assert.Null(Pn532Commands.ParseListedTarget(Hex.Bytes("01 01"), CardType.TypeB));
        Assert.NotNull(Pn532Commands.ParseListedTarget(Hex.Bytes("01 01 50 11223344 00000000 33 81 71 01 00"), CardType.TypeB));
    }

    [Fact]
    public void RandomActivationDataNeverThrows()
    {
        var random = new Random(3);
        for (int i = 0; i < 20000; i++)
        {
            byte[] data = new byte[random.Next(0, 40)];
            random.NextBytes(data);
            if (data.Length > 0) data[0] = 1;
            foreach (CardType type in new[] { CardType.TypeA, CardType.TypeB })
            {
                Pn532Target? t = Pn532Commands.ParseListedTarget(data, type);
                if (t is null) continue;
                Assert.InRange(t.MaxFrameSize, 16, 4096);
                Assert.InRange(t.FrameWaitingInteger, 0, 14);
                Assert.Contains(Pn532Commands.ChooseBitRate(t, 848), new[] { 106, 212, 424, 848 });
            }
        }
    }

    [Fact]
    public void SetBitRateSendsInPslAndRecordsTheRate()
    {
        var device = new ScriptedPn532(_clock, cmd => ScriptedPn532.Answer(cmd[0], 0x00));
        var driver = new Pn532Driver(device, _clock);
        var target = new Pn532Target { TargetNumber = 1 };
        Assert.True(driver.SetBitRate(target, 424).IsOk);
        Assert.Equal(424, target.BitRateKbps);
        Assert.Equal("4E010202", Hex.Of(device.Commands.Single()));

        device.Handler = cmd => ScriptedPn532.Answer(cmd[0], 0x12); // parameter error: refused
        Assert.False(driver.SetBitRate(target, 212).IsOk);
        Assert.Equal(424, target.BitRateKbps);
    }

    [Theory]
    [InlineData("05 78 22 81 02", false, 424)] // the card offers 424, the PN532 switches
    [InlineData("05 78 22 81 02", true, 106)]  // InPSL refused: stay at 106
    [InlineData("05 78 80 81 02", false, 106)] // the card offers nothing faster: no InPSL at all
    public void CardEventCarriesTheNegotiatedBitRate(string ats, bool refusePsl, int expected)
    {
        var mqtt = new FakeMqttLink();
        var reader = new ScriptedPn532(_clock, cmd => cmd[0] switch
        {
            0x02 => ScriptedPn532.Answer(0x02, 0x32, 0x01, 0x06, 0x07),
            0x4A when cmd[2] == 0x00 => ScriptedPn532.Answer(0x4A, Hex.Bytes("01 01 0004 20 04 08000000 " + ats)),
            0x4A => ScriptedPn532.Answer(0x4A, 0x00),
            0x4E => ScriptedPn532.Answer(0x4E, refusePsl ? (byte)0x12 : (byte)0x00),
            0x00 => ScriptedPn532.Answer(0x00, 0x00),
            _ => ScriptedPn532.Answer(cmd[0]),
        });
        var finger = new ScriptedFingerprint(_clock, cmd => cmd[0] == 0x0F ? ScriptedFingerprint.Ack(0x00, new byte[16]) : ScriptedFingerprint.Ack(0x02));
        var app = new FirmwareApp(new FirmwareOptions { DeviceId = "mcu-01" }, mqtt, reader, finger, new ScriptedPrinter(_clock), _clock, new ListLog(), new FakeDevicePlatform());
        app.Start();
        for (int i = 0; i < 25; i++)
        {
            app.Step();
            _clock.Sleep(20);
        }
        PublishedMessage placed = mqtt.Published.Single(m => m.Topic == "kiosk/v1/mcu-01/event/card");
        Assert.Equal("{\"event\":\"placed\",\"protocol\":\"iso14443-4a\",\"bitRate\":" + expected + "}", placed.Text);
        Assert.Equal(expected == 106 && !refusePsl ? 0 : 1, reader.Commands.Count(c => c[0] == 0x4E));
    }

    [Fact]
    public void CardPlacedJsonWithBitRate()
    {
        Assert.Equal("{\"event\":\"placed\",\"protocol\":\"iso14443-4b\",\"bitRate\":848}", CardEventMessage.PlacedJson(Payloads.ProtocolTypeB, 848));
    }
}
