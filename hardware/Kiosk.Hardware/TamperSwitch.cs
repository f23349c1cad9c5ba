using System.Device.Gpio;

namespace Kiosk.Hardware;

/// <summary>
/// The enclosure door's normally-closed switch, wired between the pin and ground with the internal pull-up: door
/// closed = low; door open, or the wire cut, = high. Contacts bounce for a few milliseconds, so a change counts only
/// when the level has held for the debounce time.
/// </summary>
public sealed class TamperSwitch : IDisposable
{
    readonly GpioController _controller;
    readonly int _pin;
    readonly TimeSpan _debounce;
    readonly ITimer _settleTimer;
    readonly Lock _sync = new();
    bool _disposed;

    public TamperSwitch(GpioController controller, int pin, TimeSpan debounce, TimeProvider? timeProvider = null)
    {
        _controller = controller;
        _pin = pin;
        _debounce = debounce;
        _settleTimer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => OnSettled(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        _controller.OpenPin(_pin, PinMode.InputPullUp);
        IsOpen = _controller.Read(_pin) == PinValue.High;
        _controller.RegisterCallbackForPinValueChangedEvent(_pin, PinEventTypes.Rising | PinEventTypes.Falling, OnPinChanged);
    }

    /// <summary>The debounced state: true while the door is open (or the switch wiring is broken).</summary>
    public bool IsOpen { get; private set; }

    /// <summary>Raised once per debounced change; the argument is the new <see cref="IsOpen"/>.</summary>
    public event EventHandler<bool>? DoorChanged;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _controller.UnregisterCallbackForPinValueChangedEvent(_pin, OnPinChanged);
        _settleTimer.Dispose();
        _controller.ClosePin(_pin);
    }

    void OnPinChanged(object sender, PinValueChangedEventArgs change)
    {
        lock (_sync)
        {
            // Every edge restarts the wait; only a level that stays put for the whole debounce time counts.
            _settleTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    void OnSettled()
    {
        bool open;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            open = _controller.Read(_pin) == PinValue.High;
            if (open == IsOpen)
            {
                return; // it bounced and came back
            }

            IsOpen = open;
        }

        DoorChanged?.Invoke(this, open);
    }
}
