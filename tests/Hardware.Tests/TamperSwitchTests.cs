using System.Device.Gpio;
using Kiosk.Hardware;

namespace Hardware.Tests;

public class TamperSwitchTests
{
    const int Pin = 27;
    static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

    readonly FakeGpioDriver _driver = new();
    readonly ManualTimeProvider _time = new();

    TamperSwitch ClosedDoor(GpioController controller)
    {
        _driver.SetInput(Pin, PinValue.Low); // normally-closed switch pulls the pin to ground
        return new TamperSwitch(controller, Pin, Debounce, _time);
    }

    [Fact]
    public void Uses_the_internal_pull_up_so_a_cut_wire_reads_open()
    {
        using var controller = new GpioController(_driver);
        using var tamper = new TamperSwitch(controller, Pin, Debounce, _time); // nothing drives the pin

        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(Pin));
        Assert.True(tamper.IsOpen);
    }

    [Fact]
    public void Door_opening_with_bounces_raises_one_event_after_the_level_settles()
    {
        using var controller = new GpioController(_driver);
        using var tamper = ClosedDoor(controller);
        var changes = new List<bool>();
        tamper.DoorChanged += (_, open) => changes.Add(open);

        foreach (PinValue level in new[] { PinValue.High, PinValue.Low, PinValue.High, PinValue.Low, PinValue.High })
        {
            _driver.SetInput(Pin, level);
            _time.Advance(TimeSpan.FromMilliseconds(3));
        }

        Assert.Empty(changes); // still bouncing
        Assert.False(tamper.IsOpen);

        _time.Advance(Debounce);
        Assert.Equal([true], changes);
        Assert.True(tamper.IsOpen);
    }

    [Fact]
    public void A_bounce_that_returns_to_closed_raises_nothing()
    {
        using var controller = new GpioController(_driver);
        using var tamper = ClosedDoor(controller);
        var changes = new List<bool>();
        tamper.DoorChanged += (_, open) => changes.Add(open);

        _driver.SetInput(Pin, PinValue.High); // a knock on the cabinet
        _time.Advance(TimeSpan.FromMilliseconds(2));
        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(changes);
        Assert.False(tamper.IsOpen);
    }

    [Fact]
    public void Opening_then_closing_raises_open_then_closed()
    {
        using var controller = new GpioController(_driver);
        using var tamper = ClosedDoor(controller);
        var changes = new List<bool>();
        tamper.DoorChanged += (_, open) => changes.Add(open);

        _driver.SetInput(Pin, PinValue.High);
        _time.Advance(TimeSpan.FromSeconds(5));
        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([true, false], changes);
    }
}
