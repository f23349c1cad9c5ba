using System.Device.Gpio;

namespace Kiosk.Hardware;

/// <summary>What the kiosk wants to tell people walking by.</summary>
public enum LightState
{
    Off,

    /// <summary>Ready: steady green.</summary>
    Idle,

    /// <summary>Serving someone (reading a card, printing): steady blue.</summary>
    Busy,

    /// <summary>Needs the resident's action or staff (take your receipt, paper low): amber blinking at 1 Hz.</summary>
    Attention,

    /// <summary>Out of order: red blinking at 2 Hz.</summary>
    Fault,
}

/// <summary>A colour as three on/off channels; plain GPIO has no brightness levels.</summary>
public readonly record struct RgbColor(bool Red, bool Green, bool Blue)
{
    public static readonly RgbColor Dark = new(false, false, false);
}

/// <summary>The pin pattern for a state: one colour, steady or blinking with equal on and off halves.</summary>
public sealed record LightPattern(RgbColor Color, TimeSpan? BlinkHalfPeriod)
{
    public static LightPattern For(LightState state) => state switch
    {
        LightState.Idle => new(new RgbColor(false, true, false), null),
        LightState.Busy => new(new RgbColor(false, false, true), null),
        LightState.Attention => new(new RgbColor(true, true, false), TimeSpan.FromMilliseconds(500)),
        LightState.Fault => new(new RgbColor(true, false, false), TimeSpan.FromMilliseconds(250)),
        _ => new(RgbColor.Dark, null),
    };
}

/// <summary>
/// An RGB status LED on three GPIO pins. <see cref="Set"/> shows a state at once; blinking states toggle on a timer.
/// </summary>
public sealed class StatusLight : IDisposable
{
    readonly GpioController _controller;
    readonly int _redPin;
    readonly int _greenPin;
    readonly int _bluePin;
    readonly bool _activeHigh;
    readonly ITimer _blinkTimer;
    readonly Lock _sync = new();
    LightPattern _pattern = LightPattern.For(LightState.Off);
    bool _lit;
    bool _disposed;

    public StatusLight(GpioController controller, int redPin, int greenPin, int bluePin, bool activeHigh = true, TimeProvider? timeProvider = null)
    {
        _controller = controller;
        _redPin = redPin;
        _greenPin = greenPin;
        _bluePin = bluePin;
        _activeHigh = activeHigh;
        _blinkTimer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => Toggle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Open dark so the LED does not flash a random colour while the host starts.
        PinValue dark = _activeHigh ? PinValue.Low : PinValue.High;
        _controller.OpenPin(_redPin, PinMode.Output, dark);
        _controller.OpenPin(_greenPin, PinMode.Output, dark);
        _controller.OpenPin(_bluePin, PinMode.Output, dark);
    }

    public LightState State { get; private set; } = LightState.Off;

    public void Set(LightState state)
    {
        lock (_sync)
        {
            State = state;
            _pattern = LightPattern.For(state);
            _lit = true;
            Show(_pattern.Color);
            TimeSpan halfPeriod = _pattern.BlinkHalfPeriod ?? Timeout.InfiniteTimeSpan;
            _blinkTimer.Change(halfPeriod, halfPeriod);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        lock (_sync)
        {
            _disposed = true;
            _blinkTimer.Dispose();
            Show(RgbColor.Dark);
        }

        _controller.ClosePin(_redPin);
        _controller.ClosePin(_greenPin);
        _controller.ClosePin(_bluePin);
    }

    void Toggle()
    {
        lock (_sync)
        {
            if (_disposed || _pattern.BlinkHalfPeriod is null)
            {
                return;
            }

            _lit = !_lit;
            Show(_lit ? _pattern.Color : RgbColor.Dark);
        }
    }

    void Show(RgbColor color)
    {
        Span<PinValuePair> values =
        [
            new(_redPin, Level(color.Red)),
            new(_greenPin, Level(color.Green)),
            new(_bluePin, Level(color.Blue)),
        ];
        _controller.Write(values);
    }

    PinValue Level(bool on) => on == _activeHigh ? PinValue.High : PinValue.Low;
}
