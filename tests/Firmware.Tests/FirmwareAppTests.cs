using Kiosk.Firmware.App;
using Kiosk.DeviceContract;

namespace Firmware.Tests;

/// <summary>The firmware's main loop driven step by step with a fake clock, scripted peripherals and a fake broker.</summary>
public class FirmwareAppTests
{
    private const string Device = "mcu-01";
    private readonly FakeClock _clock = new();
    private readonly FakeDevicePlatform _platform = new();
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
        _app = new FirmwareApp(new FirmwareOptions { DeviceId = Device }, _mqtt, _reader, _finger, _printer, _clock, _log, _platform);
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

    /// <summary>A request as the host sends it (docs/mqtt.md): kiosk/v1/{device}/cmd/{command}/{requester}/{id}.</summary>
    private void Request(string command, string id, byte[] payload) => _mqtt.Deliver($"kiosk/v1/{Device}/cmd/{command}/host-1/{id}", payload);

    private static string ReplyTo(string id) => $"kiosk/v1/{Device}/reply/host-1/{id}";

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
        Assert.Equal("{\"online\":true,\"firmware\":\"0.1.0\",\"reader\":\"ok\",\"fingerprint\":\"ok\",\"printer\":\"ok\",\"uptimeSeconds\":0," +
                     "\"startReason\":\"power-on\",\"freeMemoryBytes\":123456,\"wifiRssiDbm\":-61,\"connections\":1}", status.Text);
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
    public void AnswersAnApduOnTheReplyTopicOfItsRequest()
    {
        _card = 1;
        _app.Start();
        Run(300);
        Assert.True(_app.CardPresent);
        Request("apdu", "0a1b2c3d4e5f6071", Hex.Bytes("00A4040C"));
        Assert.Equal(1, _app.QueuedRequests); // queued by the MQTT thread, not executed there
        _app.Step();
        PublishedMessage reply = _mqtt.Published.Single(m => m.Topic == ReplyTo("0a1b2c3d4e5f6071"));
        Assert.Equal("0000A49000", Hex.Of(reply.Payload)); // Ok, then the fake card's answer: CLA INS echoed, 90 00
        Assert.False(reply.Retain);
        Assert.Equal(0, reply.Qos); // at most once (docs/mqtt.md)
    }

    [Fact]
    public void ARedeliveredRequestIsServedOnce()
    {
        _card = 1;
        _app.Start();
        Run(300);
        int exchangesBefore = _reader.Commands.Count(c => c[0] == 0x40);
        Request("apdu", "7", Hex.Bytes("00A4040C"));
        Request("apdu", "7", Hex.Bytes("00A4040C")); // delivered twice
        Request("apdu", "8", Hex.Bytes("00A4040C")); // the host's next attempt has a new id
        _app.Step();
        Assert.Single(_mqtt.Published, m => m.Topic == ReplyTo("7"));
        Assert.Single(_mqtt.Published, m => m.Topic == ReplyTo("8"));
        Assert.Equal(exchangesBefore + 2, _reader.Commands.Count(c => c[0] == 0x40));
    }

    [Fact]
    public void EmptyApduIsABadRequest()
    {
        _card = 1;
        _app.Start();
        Run(300);
        int exchangesBefore = _reader.Commands.Count(c => c[0] == 0x40);
        Request("apdu", "e1", Array.Empty<byte>());
        _app.Step();
        PublishedMessage reply = _mqtt.Published.Single(m => m.Topic == ReplyTo("e1"));
        Assert.Equal("06", Hex.Of(reply.Payload));
        Assert.Equal(exchangesBefore, _reader.Commands.Count(c => c[0] == 0x40));
    }

    [Fact]
    public void AnApduArrivingDuringAFingerprintCaptureIsServedWithoutWaitingForTheModule()
    {
        _card = 1;
        _app.Start();
        Run(300);
        // The module takes the next image capture and stays silent (still capturing); the host's request arrives then.
        long deliveredAt = -1;
        Func<byte[], byte[]?> normal = _finger.Handler;
        _finger.Handler = cmd =>
        {
            if (cmd[0] != 0x01 || deliveredAt >= 0) return normal(cmd);
            deliveredAt = _clock.NowMilliseconds;
            Request("apdu", "f1", Hex.Bytes("00A4040C"));
            return null;
        };
        long giveUp = _clock.NowMilliseconds + 10_000;
        while (!_mqtt.Published.Any(m => m.Topic == ReplyTo("f1")) && _clock.NowMilliseconds < giveUp)
        {
            _app.Step();
            _clock.Sleep(20);
        }
        Assert.True(deliveredAt >= 0);
        Assert.Single(_mqtt.Published, m => m.Topic == ReplyTo("f1"));
        // Served within a step or two, not after the module's 1 s timeout.
        Assert.InRange(_clock.NowMilliseconds - deliveredAt, 0, 100);
    }

    [Fact]
    public void ApduWithoutACardIsNoCard()
    {
        _app.Start();
        Request("apdu", "1", Hex.Bytes("00A4040C"));
        _app.Step();
        Assert.Equal("01", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTo("1")).Payload));
    }

    [Fact]
    public void CardRemovedDuringAnApduRepliesNoCardAndPublishesRemoved()
    {
        _card = 1;
        _app.Start();
        Run(300);
        _card = 0;
        Request("apdu", "1", Hex.Bytes("00B0000000"));
        _app.Step();
        Assert.Equal("01", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTo("1")).Payload));
        Assert.Equal("{\"event\":\"removed\"}", On("event/card").Last().Text);
    }

    [Theory]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu")]                    // the old contract: no requester, no id
    [InlineData("kiosk/v1/mcu-01/cmd/apdu/host-1")]             // no id
    [InlineData("kiosk/v1/mcu-01/cmd/apdu/host-1/1/extra")]
    [InlineData("kiosk/v1/mcu-01/cmd/apdu/host-1/bad.id")]      // an id must be letters, digits and '-'
    [InlineData("kiosk/v1/mcu-01/cmd/reboot/host-1/1")]         // no such command
    [InlineData("kiosk/v1/mcu-02/cmd/apdu/host-1/1")]           // another device's
    [InlineData("kiosk/v1/mcu-01/reply/host-1/1")]
    public void RequestOnAnotherTopicIsIgnored(string topic)
    {
        _app.Start();
        int before = _mqtt.Published.Count;
        _mqtt.Deliver(topic, Hex.Bytes("00A4040C"));
        _app.Step();
        Assert.Equal(0, _app.QueuedRequests);
        Assert.Equal(before, _mqtt.Published.Count);
    }

    [Fact]
    public void PrintsAJobAndPublishesPrinterState()
    {
        _app.Start();
        Request("print", "9", new byte[] { 0x1B, 0x40, 0x41, 0x0A });
        _app.Step();
        Assert.Equal("00", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTo("9")).Payload));
        Assert.Equal("1B40410A", Hex.Of(_printer.Printed));
        Assert.Equal(2, On("state/printer").Count);
    }

    [Fact]
    public void PaperOutRefusesTheJobAndTheStateChangeIsPublished()
    {
        _app.Start();
        _printer.Paper = "out";
        Request("print", "9", new byte[] { 0x41 });
        _app.Step();
        Assert.Equal("04", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTo("9")).Payload));
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
        Request("apdu", "1", Hex.Bytes("00A4040C"));
        _app.Step();
        Assert.Equal("02", Hex.Of(_mqtt.Published.Single(m => m.Topic == ReplyTo("1")).Payload));
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
        Assert.True(_mqtt.ConnectAttempts >= 3);
        _mqtt.BrokerReachable = true;
        Run(17_000); // the longest wait after the attempts so far is 16 s
        Assert.True(_mqtt.IsConnected);
        Assert.Equal(2, On("status").Count);
        Assert.Contains("\"connections\":2", On("status").Last().Text);
        Assert.Equal(2, _mqtt.Subscriptions.Count);
        Assert.Contains(_log.Lines, l => l.Contains("broker connection lost"));
    }

    [Fact]
    public void ReconnectWaitsGrowWithJitterUpToTheMaximum()
    {
        var options = new FirmwareOptions();
        _mqtt.BrokerReachable = false;
        _app.Start();
        var waits = new List<long>();
        for (int failure = 1; failure <= 9; failure++)
        {
            waits.Add(_app.ReconnectDelayMilliseconds);
            int attempts = _mqtt.ConnectAttempts;
            while (_mqtt.ConnectAttempts == attempts) { _clock.Sleep(20); _app.Step(); }
        }
        // The n-th failure waits between half and all of min(30 s, 1 s · 2^(n-1)).
        for (int n = 1; n <= waits.Count; n++)
        {
            long ceiling = Math.Min(options.MaxReconnectIntervalMilliseconds, options.ReconnectIntervalMilliseconds * (1L << (n - 1)));
            Assert.InRange(waits[n - 1], ceiling / 2 - 20, ceiling);
        }
        Assert.InRange(waits[^1], 15_000 - 20, 30_000);
    }

    [Fact]
    public void StatusIsRefreshedEveryMinute()
    {
        _app.Start();
        Run(125_000);
        List<PublishedMessage> statuses = On("status");
        Assert.Equal(3, statuses.Count);
        Assert.Contains("\"uptimeSeconds\":120,", statuses.Last().Text);
    }

    [Fact]
    public void TheWatchdogRebootsAStalledLoopAndTheNextStartSaysWhy()
    {
        _app.Start();
        Run(1_000);
        Assert.False(_app.Watchdog.Check());
        _clock.Sleep(new FirmwareOptions().WatchdogTimeoutMilliseconds); // the main loop made no step for that long
        Assert.True(_app.Watchdog.Check());
        Assert.Equal(1, _platform.Reboots);
        Assert.Equal("watchdog", _platform.Stored[SoftwareWatchdog.RecordName]);
        Assert.False(_app.Watchdog.Check()); // fires once

        var next = new FirmwareApp(new FirmwareOptions { DeviceId = Device }, new FakeMqttLink(), _reader, _finger, _printer, _clock, _log, _platform);
        next.Start();
        Assert.Equal(StartReason.Watchdog, next.StartReason);
        Assert.False(_platform.Stored.ContainsKey(SoftwareWatchdog.RecordName)); // read once
        var after = new FirmwareApp(new FirmwareOptions { DeviceId = Device }, new FakeMqttLink(), _reader, _finger, _printer, _clock, _log, _platform);
        after.Start();
        Assert.Equal(StartReason.PowerOn, after.StartReason);
    }

    [Fact]
    public void AFedWatchdogNeverFires()
    {
        _app.Start();
        Run(3 * new FirmwareOptions().WatchdogTimeoutMilliseconds);
        Assert.False(_app.Watchdog.Check());
        Assert.Equal(0, _platform.Reboots);
    }

    [Fact]
    public void LogNeverContainsApduBytes()
    {
        _card = 1;
        _app.Start();
        Run(300);
        Request("apdu", "1", Hex.Bytes("00A4040C07A0000002471001"));
        _app.Step();
        Assert.DoesNotContain(_log.Lines, l => l.Contains("A0000002471001", StringComparison.OrdinalIgnoreCase) || l.Contains("A4040C", StringComparison.OrdinalIgnoreCase));
    }
}
