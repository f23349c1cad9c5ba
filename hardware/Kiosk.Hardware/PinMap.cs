using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiosk.Hardware;

/// <summary>
/// hardware/pinmap.json as types: which ESP32-S3 GPIO each peripheral uses and which Pi BCM pins the host-side sensors
/// use. <see cref="FindProblems"/> checks the rules the file must keep (no pin twice, no reserved pins, one UART per
/// peripheral, ...); the reserved pins come from the file's "reservedPins".
/// </summary>
public sealed record PinMap(Esp32PinMap Esp32, RaspberryPiPinMap RaspberryPi)
{
    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>The ESP32-S3's UARTs; the console runs on native USB, so all three go to peripherals.</summary>
    public static readonly IReadOnlyList<string> Uarts = ["UART0", "UART1", "UART2"];

    public static PinMap Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Parse(stream);
    }

    public static PinMap Parse(Stream json) =>
        JsonSerializer.Deserialize<PinMap>(json, JsonOptions) ?? throw new InvalidDataException("pinmap.json is empty.");

    public static PinMap Parse(string json) =>
        JsonSerializer.Deserialize<PinMap>(json, JsonOptions) ?? throw new InvalidDataException("pinmap.json is empty.");

    /// <summary>
    /// Every ESP32 pin a peripheral uses, named "peripheral.signal". The console's USB pins are not listed: they are
    /// reserved (reservedPins.usb), so no peripheral may take them.
    /// </summary>
    public IReadOnlyList<(string Name, int Pin)> Esp32Pins =>
    [
        ("pn532.tx", Esp32.Pn532.Tx),
        ("pn532.rx", Esp32.Pn532.Rx),
        ("fingerprint.tx", Esp32.Fingerprint.Tx),
        ("fingerprint.rx", Esp32.Fingerprint.Rx),
        ("fingerprint.touchIrq", Esp32.Fingerprint.TouchIrq ?? -1),
        ("printer.tx", Esp32.Printer.Tx),
        ("printer.rx", Esp32.Printer.Rx),
    ];

    /// <summary>Every Pi BCM pin in use.</summary>
    public IReadOnlyList<(string Name, int Pin)> RaspberryPiPins =>
    [
        ("presenceSensor.pin", RaspberryPi.PresenceSensor.Pin),
        ("tamperSwitch.pin", RaspberryPi.TamperSwitch.Pin),
        ("statusLight.red", RaspberryPi.StatusLight.Red),
        ("statusLight.green", RaspberryPi.StatusLight.Green),
        ("statusLight.blue", RaspberryPi.StatusLight.Blue),
    ];

    /// <summary>Human-readable rule violations; empty when the map is sound.</summary>
    public IReadOnlyList<string> FindProblems()
    {
        var problems = new List<string>();
        AddDuplicates("esp32", Esp32Pins, problems);
        AddDuplicates("raspberryPi", RaspberryPiPins, problems);

        Esp32ReservedPins reserved = Esp32.ReservedPins;
        foreach ((string name, int pin) in Esp32Pins)
        {
            // ESP32-S3: GPIO 0-21 and 26-48; there is no GPIO 22-25.
            if (pin is < 0 or > 48 or (>= 22 and <= 25))
            {
                problems.Add($"esp32 {name}: GPIO {pin} does not exist on the ESP32-S3");
            }
            else if (Holds(reserved.Flash, pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} is wired to the SPI flash");
            }
            else if (Holds(reserved.OctalPsram, pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} carries the octal PSRAM on R8 modules");
            }
            else if (Holds(reserved.Strapping, pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} is a strapping pin and may keep the ESP32-S3 from booting");
            }
            else if (Holds(reserved.Usb, pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} is a USB data line (console and wire protocol)");
            }
            else if (Holds(reserved.Uart0Default, pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} is one of UART0's default pins (boot log, the board's UART bridge)");
            }
        }

        // Three UARTs, three peripherals: each takes its own.
        (string Name, string Uart)[] uarts = [("pn532", Esp32.Pn532.Uart), ("fingerprint", Esp32.Fingerprint.Uart), ("printer", Esp32.Printer.Uart)];
        foreach ((string name, string uart) in uarts.Where(entry => !Uarts.Contains(entry.Uart)))
        {
            problems.Add($"esp32 {name}: \"{uart}\" is not one of {string.Join(", ", Uarts)}");
        }

        foreach (IGrouping<string, string> shared in uarts.Select(entry => entry.Uart).GroupBy(uart => uart).Where(group => group.Count() > 1))
        {
            problems.Add($"esp32: {shared.Key} is assigned to more than one peripheral");
        }

        foreach ((string name, int pin) in RaspberryPiPins)
        {
            if (pin is < 2 or > 27)
            {
                problems.Add($"raspberryPi {name}: BCM {pin} is not a header GPIO (BCM 2-27; 0 and 1 are the HAT EEPROM pins)");
            }
        }

        return problems;
    }

    static bool Holds(int[]? pins, int pin) => pins is not null && pins.Contains(pin);

    static void AddDuplicates(string board, IReadOnlyList<(string Name, int Pin)> pins, List<string> problems)
    {
        foreach (IGrouping<int, (string Name, int Pin)> shared in pins.GroupBy(entry => entry.Pin).Where(group => group.Count() > 1))
        {
            problems.Add($"{board}: pin {shared.Key} is used by {string.Join(" and ", shared.Select(entry => entry.Name))}");
        }
    }
}

public sealed record Esp32PinMap(
    string Board,
    Esp32ReservedPins ReservedPins,
    UsbConsole Console,
    SerialPins Pn532,
    SerialPins Fingerprint,
    SerialPins Printer);

/// <summary>Pins no peripheral may use (ESP32-S3-WROOM-1 N8R8 / N16R8).</summary>
public sealed record Esp32ReservedPins(int[] Flash, int[] OctalPsram, int[] Strapping, int[] Usb, int[]? Uart0Default = null);

/// <summary>The console and nanoFramework's wire protocol on the chip's native USB (D- and D+ GPIOs).</summary>
public sealed record UsbConsole(string Interface, int UsbDMinus, int UsbDPlus, string? Notes = null);

/// <summary>One serial peripheral: tx is the ESP32's transmit pin (to the peripheral's RX), rx the ESP32's receive pin.</summary>
public sealed record SerialPins(string Uart, int Baud, int Tx, int Rx, int? TouchIrq = null, string? Notes = null);

public sealed record RaspberryPiPinMap(
    string Board,
    string Numbering,
    PresenceSensorPins PresenceSensor,
    TamperSwitchPins TamperSwitch,
    StatusLightPins StatusLight);

public sealed record PresenceSensorPins(int Pin, int HoldMilliseconds, string? Notes = null);

public sealed record TamperSwitchPins(int Pin, int DebounceMilliseconds, string? Notes = null);

public sealed record StatusLightPins(int Red, int Green, int Blue, bool ActiveHigh = true, string? Notes = null);
