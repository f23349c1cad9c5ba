using System.Device.Gpio;
using Kiosk.Hardware;

namespace Hardware.Tests;

public class StatusLightTests
{
    const int Red = 5;
    const int Green = 6;
    const int Blue = 13;

    readonly FakeGpioDriver _driver = new();
    readonly ManualTimeProvider _time = new();

    (bool Red, bool Green, bool Blue) Lit() =>
        (_driver.Value(Red) == PinValue.High, _driver.Value(Green) == PinValue.High, _driver.Value(Blue) == PinValue.High);

    [Fact]
    public void Opens_all_three_pins_as_dark_outputs()
    {
        using var controller = new GpioController(_driver);
        using var light = new StatusLight(controller, Red, Green, Blue, timeProvider: _time);

        Assert.All(new[] { Red, Green, Blue }, pin => Assert.Equal(PinMode.Output, _driver.ModeOf(pin)));
        Assert.Equal((false, false, false), Lit());
    }

    [Theory]
    [InlineData(LightState.Idle, false, true, false)]
    [InlineData(LightState.Busy, false, false, true)]
    [InlineData(LightState.Attention, true, true, false)]
    [InlineData(LightState.Fault, true, false, false)]
    [InlineData(LightState.Off, false, false, false)]
    public void Each_state_shows_its_colour_at_once(LightState state, bool red, bool green, bool blue)
    {
        using var controller = new GpioController(_driver);
        using var light = new StatusLight(controller, Red, Green, Blue, timeProvider: _time);

        light.Set(state);

        Assert.Equal((red, green, blue), Lit());
        Assert.Equal(state, light.State);
    }

    [Fact]
    public void Steady_states_do_not_blink()
    {
        using var controller = new GpioController(_driver);
        using var light = new StatusLight(controller, Red, Green, Blue, timeProvider: _time);
        light.Set(LightState.Idle);
        int writesBefore = _driver.Writes.Count;

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(writesBefore, _driver.Writes.Count);
        Assert.Equal((false, true, false), Lit());
    }

    [Fact]
    public void Fault_blinks_red_at_two_hertz()
    {
        using var controller = new GpioController(_driver);
        using var light = new StatusLight(controller, Red, Green, Blue, timeProvider: _time);

        light.Set(LightState.Fault);
        var seen = new List<(bool, bool, bool)> { Lit() };
        for (int step = 0; step < 4; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            seen.Add(Lit());
        }

        Assert.Equal([(true, false, false), (false, false, false), (true, false, false), (false, false, false), (true, false, false)], seen);
    }

    [Fact]
    public void Leaving_a_blinking_state_stops_the_blinking()
    {
        using var controller = new GpioController(_driver);
        using var light = new StatusLight(controller, Red, Green, Blue, timeProvider: _time);
        light.Set(LightState.Attention);
        _time.Advance(TimeSpan.FromMilliseconds(500)); // in the dark half

        light.Set(LightState.Busy);
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal((false, false, true), Lit());
    }

    [Fact]
    public void Common_anode_led_gets_inverted_levels()
    {
        using var controller = new GpioController(_driver);
        using var light = new StatusLight(controller, Red, Green, Blue, activeHigh: false, timeProvider: _time);

        light.Set(LightState.Idle);

        Assert.Equal(PinValue.High, _driver.Value(Red));
        Assert.Equal(PinValue.Low, _driver.Value(Green));
        Assert.Equal(PinValue.High, _driver.Value(Blue));
    }

    [Fact]
    public void Dispose_turns_the_light_off_and_releases_the_pins()
    {
        using var controller = new GpioController(_driver);
        var light = new StatusLight(controller, Red, Green, Blue, timeProvider: _time);
        light.Set(LightState.Fault);

        light.Dispose();

        Assert.Equal(PinValue.Low, _driver.Writes.Last(write => write.Pin == Red).Value);
        Assert.False(_driver.IsOpen(Red));
    }
}
