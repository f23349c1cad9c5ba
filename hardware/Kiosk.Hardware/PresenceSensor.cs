using System.Device.Gpio;

namespace Kiosk.Hardware;

/// <summary>
/// A PIR sensor (HC-SR501) in front of the kiosk. <see cref="PersonArrived"/> fires on the first motion;
/// <see cref="PersonLeft"/> only after the sensor has stayed quiet for the hold time, because a person reading the
/// screen stands still and a PIR reports only movement.
/// </summary>
public sealed class PresenceSensor : IDisposable
{
    readonly GpioController _controller;
    readonly int _pin;
    readonly TimeSpan _holdTime;
    readonly ITimer _leaveTimer;
    readonly Lock _sync = new();
    bool _disposed;

    public PresenceSensor(GpioController controller, int pin, TimeSpan holdTime, TimeProvider? timeProvider = null)
    {
        _controller = controller;
        _pin = pin;
        _holdTime = holdTime;
        _leaveTimer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => OnHoldElapsed(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // The HC-SR501 drives its output actively, so no pull resistor.
        _controller.OpenPin(_pin, PinMode.Input);
        _controller.RegisterCallbackForPinValueChangedEvent(_pin, PinEventTypes.Rising | PinEventTypes.Falling, OnPinChanged);
        if (_controller.Read(_pin) == PinValue.High)
        {
            IsPresent = true;
        }
    }

    public bool IsPresent { get; private set; }

    public event EventHandler? PersonArrived;

    public event EventHandler? PersonLeft;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _controller.UnregisterCallbackForPinValueChangedEvent(_pin, OnPinChanged);
        _leaveTimer.Dispose();
        _controller.ClosePin(_pin);
    }

    void OnPinChanged(object sender, PinValueChangedEventArgs change)
    {
        bool arrived = false;
        lock (_sync)
        {
            if (change.ChangeType == PinEventTypes.Rising)
            {
                // Motion again: whoever is there has not left.
                _leaveTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                arrived = !IsPresent;
                IsPresent = true;
            }
            else if (IsPresent)
            {
                _leaveTimer.Change(_holdTime, Timeout.InfiniteTimeSpan);
            }
        }

        if (arrived)
        {
            PersonArrived?.Invoke(this, EventArgs.Empty);
        }
    }

    void OnHoldElapsed()
    {
        lock (_sync)
        {
            // A rising edge that raced the timer wins: the output is high again, so someone is still there.
            if (!IsPresent || _disposed || _controller.Read(_pin) == PinValue.High)
            {
                return;
            }

            IsPresent = false;
        }

        PersonLeft?.Invoke(this, EventArgs.Empty);
    }
}
