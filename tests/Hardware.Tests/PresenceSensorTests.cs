using System.Device.Gpio;
using Kiosk.Hardware;

namespace Hardware.Tests;

public class PresenceSensorTests
{
    const int Pin = 17;
    static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);

    readonly FakeGpioDriver _driver = new();
    readonly ManualTimeProvider _time = new();

    [Fact]
    public void Rising_edge_raises_person_arrived_once()
    {
        using var controller = new GpioController(_driver);
        using var sensor = new PresenceSensor(controller, Pin, Hold, _time);
        int arrivals = 0;
        sensor.PersonArrived += (_, _) => arrivals++;

        _driver.SetInput(Pin, PinValue.High);
        _driver.SetInput(Pin, PinValue.Low);
        _driver.SetInput(Pin, PinValue.High); // moves again while still counted as present

        Assert.Equal(1, arrivals);
        Assert.True(sensor.IsPresent);
        Assert.Equal(PinMode.Input, _driver.ModeOf(Pin));
    }

    [Fact]
    public void Person_left_fires_only_after_the_hold_time_without_motion()
    {
        using var controller = new GpioController(_driver);
        using var sensor = new PresenceSensor(controller, Pin, Hold, _time);
        int departures = 0;
        sensor.PersonLeft += (_, _) => departures++;

        _driver.SetInput(Pin, PinValue.High);
        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(Hold - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, departures);
        Assert.True(sensor.IsPresent);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, departures);
        Assert.False(sensor.IsPresent);
    }

    [Fact]
    public void Motion_within_the_hold_time_keeps_the_person_present()
    {
        using var controller = new GpioController(_driver);
        using var sensor = new PresenceSensor(controller, Pin, Hold, _time);
        int departures = 0;
        sensor.PersonLeft += (_, _) => departures++;

        _driver.SetInput(Pin, PinValue.High);
        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(2));
        _driver.SetInput(Pin, PinValue.High); // still reading the screen, shifted weight
        _time.Advance(TimeSpan.FromSeconds(10)); // output stays high: no departure while high
        Assert.Equal(0, departures);

        _driver.SetInput(Pin, PinValue.Low);
        _time.Advance(Hold);
        Assert.Equal(1, departures);
    }

    [Fact]
    public void Sensor_already_high_at_start_counts_as_present()
    {
        _driver.SetInput(Pin, PinValue.High);
        using var controller = new GpioController(_driver);
        using var sensor = new PresenceSensor(controller, Pin, Hold, _time);

        Assert.True(sensor.IsPresent);
    }

    [Fact]
    public void Dispose_releases_the_pin()
    {
        using var controller = new GpioController(_driver);
        var sensor = new PresenceSensor(controller, Pin, Hold, _time);

        sensor.Dispose();

        Assert.False(_driver.IsOpen(Pin));
    }
}
