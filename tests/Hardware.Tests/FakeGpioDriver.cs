using System.Device.Gpio;

namespace Hardware.Tests;

/// <summary>
/// An in-memory GPIO chip: tests set input levels with <see cref="SetInput"/> (firing the callbacks the real kernel
/// driver would) and read what the code under test wrote from <see cref="Value"/> and <see cref="Writes"/>.
/// </summary>
public sealed class FakeGpioDriver : GpioDriver
{
    readonly Dictionary<int, PinMode> _modes = [];
    readonly Dictionary<int, PinValue> _values = [];
    readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Callback)>> _callbacks = [];
    readonly Lock _sync = new();

    public FakeGpioDriver(int pinCount = 28) => PinCount = pinCount;

    protected override int PinCount { get; }

    /// <summary>Every write in order, so a test can check the sequence and not just the end state.</summary>
    public List<(int Pin, PinValue Value)> Writes { get; } = [];

    public bool IsOpen(int pin)
    {
        lock (_sync)
        {
            return _modes.ContainsKey(pin);
        }
    }

    public PinMode ModeOf(int pin)
    {
        lock (_sync)
        {
            return _modes[pin];
        }
    }

    public PinValue Value(int pin)
    {
        lock (_sync)
        {
            return _values.GetValueOrDefault(pin, PinValue.Low);
        }
    }

    /// <summary>Drives an input to a level; a change fires the matching rising/falling callbacks.</summary>
    public void SetInput(int pin, PinValue value)
    {
        List<PinChangeEventHandler> toCall = [];
        PinEventTypes edge;
        lock (_sync)
        {
            PinValue previous = _values.GetValueOrDefault(pin, PinValue.Low);
            _values[pin] = value;
            if (previous == value)
            {
                return;
            }

            edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            foreach ((PinEventTypes types, PinChangeEventHandler callback) in _callbacks.GetValueOrDefault(pin, []))
            {
                if ((types & edge) != 0)
                {
                    toCall.Add(callback);
                }
            }
        }

        foreach (PinChangeEventHandler callback in toCall)
        {
            callback(this, new PinValueChangedEventArgs(edge, pin));
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= PinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), $"No GPIO {pinNumber} on this fake chip.");
        }

        lock (_sync)
        {
            _modes[pinNumber] = PinMode.Input;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_sync)
        {
            _modes.Remove(pinNumber);
            _callbacks.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_sync)
        {
            _modes[pinNumber] = mode;
            // A pull-up makes an unconnected input read high, as on the real chip.
            if (mode == PinMode.InputPullUp && !_values.ContainsKey(pinNumber))
            {
                _values[pinNumber] = PinValue.High;
            }
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_sync)
        {
            return _modes[pinNumber];
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Value(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_sync)
        {
            _values[pinNumber] = value;
            Writes.Add((pinNumber, value));
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The classes under test use callbacks, not blocking waits.");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_sync)
        {
            if (!_callbacks.TryGetValue(pinNumber, out var list))
            {
                _callbacks[pinNumber] = list = [];
            }

            list.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_sync)
        {
            if (_callbacks.TryGetValue(pinNumber, out var list))
            {
                list.RemoveAll(entry => entry.Callback == callback);
            }
        }
    }
}
