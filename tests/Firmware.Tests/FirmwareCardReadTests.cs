using Kiosk.DeviceContract;
using Kiosk.Firmware.App;

namespace Firmware.Tests;

/// <summary>During a card read (APDUs back to back) the slow polls wait, within a bound; an answered APDU counts as presence.</summary>
public class FirmwareCardReadTests
{
    private readonly FakeClock _clock = new();
    private readonly FakeMqttLink _mqtt = new();
    private readonly ScriptedPn532 _reader;
    private readonly ScriptedFingerprint _finger;
    private readonly FirmwareApp _app;

    public FirmwareCardReadTests()
    {
        _reader = new ScriptedPn532(_clock, cmd => cmd[0] switch
        {
            0x02 => ScriptedPn532.Answer(0x02, 0x32, 0x01, 0x06, 0x07),
            0x4A when cmd[2] == 0x00 => ScriptedPn532.Answer(0x4A, Hex.Bytes("01 01 0004 20 04 08000000 05 78 80 81 02")),
            0x4A => ScriptedPn532.Answer(0x4A, 0x00),
            0x00 => ScriptedPn532.Answer(0x00, 0x00),
            0x40 => ScriptedPn532.Answer(0x40, 0x00, 0x90, 0x00),
            _ => ScriptedPn532.Answer(cmd[0]),
        });
        _finger = new ScriptedFingerprint(_clock, cmd => cmd[0] == 0x0F ? ScriptedFingerprint.Ack(0x00, new byte[16]) : ScriptedFingerprint.Ack(0x02));
        _app = new FirmwareApp(new FirmwareOptions { DeviceId = "mcu-01" }, _mqtt, _reader, _finger, new ScriptedPrinter(_clock), _clock, new ListLog(), new FakeDevicePlatform());
    }

    private void Step(int sleep)
    {
        _app.Step();
        _clock.Sleep(sleep);
    }

    [Fact]
    public void Back_to_back_apdus_defer_finger_and_presence_polls_for_at_most_the_deferral()
    {
        var options = new FirmwareOptions();
        _app.Start();
        for (int i = 0; i < 30; i++) Step(20); // card listed, polls running
        Assert.True(_app.CardPresent);

        int fingerBefore = _finger.Commands.Count;
        int presenceBefore = _reader.Commands.Count(c => c[0] == 0x00);
        // One APDU every 20 ms for a second: no finger capture and no presence test in between.
        for (int i = 0; i < 50; i++)
        {
            _mqtt.Deliver(Topics.ApduCommand("mcu-01", "host-1", "r" + i), Hex.Bytes("00B0000004"));
            Step(20);
        }
        Assert.Equal(50, _mqtt.Published.Count(m => m.Topic.StartsWith("kiosk/v1/mcu-01/reply/host-1/")));
        Assert.Equal(fingerBefore, _finger.Commands.Count);
        Assert.Equal(presenceBefore, _reader.Commands.Count(c => c[0] == 0x00));

        // A read longer than the deferral still lets the polls run once in a while.
        for (int i = 0; i < 150; i++)
        {
            _mqtt.Deliver(Topics.ApduCommand("mcu-01", "host-1", "r" + i), Hex.Bytes("00B0000004"));
            Step(20);
        }
        Assert.InRange(_finger.Commands.Count - fingerBefore, 1, 3 * 4000 / options.MaxPollDeferralMilliseconds);

        // Once the APDUs stop, polling is back to normal.
        int fingerAfterRead = _finger.Commands.Count;
        for (int i = 0; i < 50; i++) Step(20);
        Assert.True(_finger.Commands.Count - fingerAfterRead >= 2);
    }
}
