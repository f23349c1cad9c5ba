using Kiosk.Firmware.App;
using Kiosk.Firmware.Mqtt;

namespace Firmware.Tests;

/// <summary>The firmware's main loop driven step by step with a fake clock, scripted peripherals and a fake broker.</summary>
public class FirmwareAppTests
{
    private const string Device = "mcu-01";
    private const string ReplyTopic = "kiosk/v1/mcu-01/reply/host-1";
    private readonly FakeClock _clock = new();
    private readonly FakeMqttLink _mqtt = new();
    private readonly ListLog _log = new();
    private readonly ScriptedPn532 _reader;
    private readonly ScriptedFingerprint _finger;
    private readonly ScriptedPrinter _printer;
    private readonly FirmwareApp _app;

    /// <summary>0 none, 1 type A, 2 type B.</summary>
    private int _card;
    private bool _fingerOnGlass;

    public FirmwareAppTests()
    {
        _reader = new ScriptedPn532(_clock, Pn532Device);
        _finger = new ScriptedFingerprint(_clock, cmd => cmd[0] == 0x0F
            ? ScriptedFingerprint.Ack(0x00, new byte[16])
            : ScriptedFingerprint.Ack(_fingerOnGlass ? (byte)0x00 : (byte)0x02));
        _printer = new ScriptedPrinter(_clock);
        _app = new FirmwareApp(new FirmwareOptions { DeviceId = Device }, _mqtt, _reader, _finger, _printer, _clock, _log);
    }

    private byte[]? Pn532Device(byte[] cmd)
    {
        switch (cmd[0])
        {
            case 0x02: return ScriptedPn532.Answer(0x02, 0x32, 0x01, 0x06, 0x07);
            case 0x4A:
                bool match = (_card == 1 && cmd[2] == 0x00) || (_card == 2 && cmd[2] == 0x03);
                if (!match) return ScriptedPn532.Answer(0x4A, 0x00);
                // Type A: SENS_RES, SEL_RES; type B: an ATQB (50, PUPI, application data, protocol info).
                return cmd[2] == 0x00
                    ? ScriptedPn532.Answer(0x4A, 0x01, 0x01, 0x00, 0x04, 0x20)
                    : ScriptedPn532.Answer(0x4A, Hex.Bytes("01 01 50 11223344 00000000 00 81 71 01 00"));
            case 0x00: return ScriptedPn532.Answer(0x00, _card != 0 ? (byte)0x00 : (byte)0x01);
            case 0x40:
                if (_card == 0) return ScriptedPn532.Answer(0x40, 0x01);
                return ScriptedPn532.Answer(0x40, new byte[] { 0x00 }.Concat(cmd.Skip(2).Take(2)).Concat(new byte[] { 0x90, 0x00 }).ToArray());
            case 0x52: return ScriptedPn532.Answer(0x52, 0x00);
            default: return ScriptedPn532.Answer(cmd[0]);
        }
    }

    private void Run(int milliseconds)
    {
        long end = _clock.NowMilliseconds + milliseconds;
        while (_clock.NowMilliseconds < end)
        {
            _app.Step();
            _clock.Sleep(20);
        }
    }

    private List<PublishedMessage> On(string suffix) => _mqtt.Published.Where(m => m.Topic == $"kiosk/v1/{Device}/{suffix}").ToList();

    [Fact]
    public void StartConnectsWithWillPublishesRetainedStatusAndSubscribes()
    {
        _app.Start();
        Assert.Equal($"kiosk/v1/{Device}/status", _mqtt.WillTopic);
        Assert.Equal("{\"online\":false}", System.Text.Encoding.UTF8.GetString(_mqtt.WillPayload!));
        Assert.True(_mqtt.WillRetain);
        Assert.Equal(new[] { $"kiosk/v1/{Device}/cmd/#" }, _mqtt.Subscriptions);
        PublishedMessage status = On("status").Single();
        Assert.True(status.Retain);
        Assert.Equal(1, status.Qos);
        Assert.Equal("{\"online\":true,\"firmware\":\"0.1.0\",\"reader\":\"ok\",\"fingerprint\":\"ok\",\"printer\":\"ok\",\"uptimeSeconds\":0}", status.Text);
        PublishedMessage printer = On("state/printer").Single();
        Assert.True(printer.Retain);
        Assert.Equal("{\"paper\":\"ok\",\"cover\":\"closed\",\"online\":true}", printer.Text);
    }

    [Fact]
    public void PublishesCardPlacedAndRemoved()
    {
        _app.Start();
        Run(500);
        Assert.Empty(On("event/card"));
        _card = 2;
        Run(500);
        PublishedMessage placed = On("event/card").Single();
        Assert.Equal("{\"event\":\"placed\",\"protocol\":\"iso14443-4b\",\"bitRate\":106}", placed.Text);
        Assert.False(placed.Retain);
        _card = 0;
        Run(500);
        Assert.Equal("{\"event\":\"removed\"}", On("event/card").Last().Text);
        Assert.Equal(2, On("event/card").Count);
        Assert.Contains(_reader.Commands, c => c[0] == 0x52); // released
    }

    [Fact]
    public void PublishesFingerPlacedAndRemoved()
    {
        _app.Start();
        _fingerOnGlass = true;
        Run(400);
        _fingerOnGlass = false;
        Run(400);
        Assert.Equal(new[] { "{\"event\":\"placed\"}", "{\"event\":\"removed\"}" }, On("event/finger").Select(m => m.Text));
    }

    [Fact]
    public void AnswersAnApduOnTheResponseTopicWithTheSameCorrelationData()
    {
        _card = 1;
        _app.Start();
        Run(300);
        Assert.True(_app.CardPresent);
        byte[] correlation = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/apdu", Hex.Bytes("00A4040C"), ReplyTopic, correlation);
        Assert.Equal(1, _app.QueuedRequests); // queued by the MQTT thread, not executed there
        _app.Step();
        PublishedMessage reply = _mqtt.Published.Single(m => m.Topic == ReplyTopic);
        Assert.Equal(correlation, reply.CorrelationData);
        Assert.Equal("0000A49000", Hex.Of(reply.Payload)); // Ok, then the fake card's answer: CLA INS echoed, 90 00
        Assert.False(reply.Retain);
    }

    [Fact]
    public void EmptyApduIsABadRequest()
    {
        _card = 1;
        _app.Start();
        Run(300);
        int exchangesBefore = _reader.Commands.Count(c => c[0] == 0x40);
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/apdu", Array.Empty<byte>(), ReplyTopic, new byte[] { 7 });
        _app.Step();
        PublishedMessage reply = _mqtt.Published.Single(m => m.Topic == ReplyTopic);
        Assert.Equal("06", Hex.Of(reply.Payload));
        Assert.Equal(new byte[] { 7 }, reply.CorrelationData);
        Assert.Equal(exchangesBefore, _reader.Commands.Count(c => c[0] == 0x40));
    }

    [Fact]
    public void ApduWithoutACardIsNoCard()
    {
        _app.Start();
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/apdu", Hex.Bytes("00A4040C"), ReplyTopic, new byte[] { 1 });
        _app.Step();
        Assert.Equal("01", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTopic).Payload));
    }

    [Fact]
    public void CardRemovedDuringAnApduRepliesNoCardAndPublishesRemoved()
    {
        _card = 1;
        _app.Start();
        Run(300);
        _card = 0;
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/apdu", Hex.Bytes("00B0000000"), ReplyTopic, new byte[] { 1 });
        _app.Step();
        Assert.Equal("01", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTopic).Payload));
        Assert.Equal("{\"event\":\"removed\"}", On("event/card").Last().Text);
    }

    [Fact]
    public void RequestWithoutResponseTopicIsIgnored()
    {
        _app.Start();
        int before = _mqtt.Published.Count;
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/apdu", Hex.Bytes("00A4040C"), null, new byte[] { 1 });
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/print", new byte[] { 0x41 }, "kiosk/v1/other/reply/x", new byte[] { 1 });
        _app.Step();
        Assert.Equal(0, _app.QueuedRequests);
        Assert.Equal(before, _mqtt.Published.Count);
    }

    [Fact]
    public void PrintsAJobAndPublishesPrinterState()
    {
        _app.Start();
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/print", new byte[] { 0x1B, 0x40, 0x41, 0x0A }, ReplyTopic, new byte[] { 9 });
        _app.Step();
        Assert.Equal("00", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTopic).Payload));
        Assert.Equal("1B40410A", Hex.Of(_printer.Printed));
        Assert.Equal(2, On("state/printer").Count);
    }

    [Fact]
    public void PaperOutRefusesTheJobAndTheStateChangeIsPublished()
    {
        _app.Start();
        _printer.Paper = "out";
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/print", new byte[] { 0x41 }, ReplyTopic, new byte[] { 9 });
        _app.Step();
        Assert.Equal("04", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTopic).Payload));
        Assert.Empty(_printer.Printed);
        Assert.Equal("{\"paper\":\"out\",\"cover\":\"closed\",\"online\":true}", On("state/printer").Last().Text);
    }

    [Fact]
    public void PrinterPollingPublishesOnlyChanges()
    {
        _app.Start();
        Run(11_000);
        Assert.Single(On("state/printer"));
        _printer.CoverOpen = true;
        Run(5_100);
        Assert.Equal("{\"paper\":\"ok\",\"cover\":\"open\",\"online\":true}", On("state/printer").Last().Text);
        Assert.Equal(2, On("state/printer").Count);
    }

    [Fact]
    public void AbsentPeripheralsAreReportedAndDoNotCrashTheLoop()
    {
        _reader.Unplugged = true;
        _finger.Unplugged = true;
        _printer.Unplugged = true;
        _app.Start();
        Run(12_000);
        Assert.StartsWith("{\"online\":true,\"firmware\":\"0.1.0\",\"reader\":\"absent\",\"fingerprint\":\"absent\",\"printer\":\"absent\",\"uptimeSeconds\":", On("status").First().Text);
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/apdu", Hex.Bytes("00A4040C"), ReplyTopic, new byte[] { 1 });
        _app.Step();
        Assert.Equal("02", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTopic).Payload));
        // The reader comes back: it is probed again and reported ok.
        _reader.Unplugged = false;
        Run(6_000);
        Assert.Contains("\"reader\":\"ok\"", On("status").Last().Text);
    }

    [Fact]
    public void PeripheralThatDisconnectsLaterIsReportedAsError()
    {
        _card = 1;
        _app.Start();
        Run(300);
        _reader.Unplugged = true;
        _finger.Unplugged = true;
        // Each silent fingerprint poll waits its 1 s timeout, so give both three failures' time.
        Run(6_000);
        string status = On("status").Last().Text;
        Assert.True(status.Contains("\"reader\":\"error\""), status + "\n" + string.Join("\n", _log.Lines));
        Assert.Contains("\"fingerprint\":\"error\"", status);
        Assert.Equal("{\"event\":\"removed\"}", On("event/card").Last().Text);
    }

    [Fact]
    public void ReconnectsAndRepublishesStatusWhenTheBrokerDrops()
    {
        _app.Start();
        Assert.Single(On("status"));
        _mqtt.IsConnected = false;
        _mqtt.BrokerReachable = false;
        Run(6_000);
        int attempts = _mqtt.ConnectAttempts;
        Assert.True(attempts >= 2);
        _mqtt.BrokerReachable = true;
        Run(6_000);
        Assert.True(_mqtt.IsConnected);
        Assert.Equal(2, On("status").Count);
        Assert.Equal(2, _mqtt.Subscriptions.Count);
        Assert.Contains(_log.Lines, l => l.Contains("broker connection lost"));
    }

    [Fact]
    public void LogNeverContainsApduBytes()
    {
        _card = 1;
        _app.Start();
        Run(300);
        _mqtt.Deliver($"kiosk/v1/{Device}/cmd/apdu", Hex.Bytes("00A4040C07A0000002471001"), ReplyTopic, new byte[] { 1 });
        _app.Step();
        Assert.DoesNotContain(_log.Lines, l => l.Contains("A0000002471001", StringComparison.OrdinalIgnoreCase) || l.Contains("A4040C", StringComparison.OrdinalIgnoreCase));
    }
}
