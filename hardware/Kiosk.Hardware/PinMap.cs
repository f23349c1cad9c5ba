using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiosk.Hardware;

/// <summary>
/// hardware/pinmap.json as types: which ESP32 GPIO each peripheral uses and which Pi BCM pins the host-side sensors
/// use. <see cref="FindProblems"/> checks the rules the file must keep (no pin twice, no flash pins, ...).
/// </summary>
public sealed record PinMap(Esp32PinMap Esp32, RaspberryPiPinMap RaspberryPi)
{
    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>The "uart" value of a peripheral that has pins but no UART yet (the printer: see README).</summary>
    public const string UnassignedUart = "unassigned";

    public static PinMap Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Parse(stream);
    }

    public static PinMap Parse(Stream json) =>
        JsonSerializer.Deserialize<PinMap>(json, JsonOptions) ?? throw new InvalidDataException("pinmap.json is empty.");

    public static PinMap Parse(string json) =>
        JsonSerializer.Deserialize<PinMap>(json, JsonOptions) ?? throw new InvalidDataException("pinmap.json is empty.");

    /// <summary>Every ESP32 pin in use, named "peripheral.signal".</summary>
    public IReadOnlyList<(string Name, int Pin)> Esp32Pins =>
    [
        ("console.tx", Esp32.Console.Tx),
        ("console.rx", Esp32.Console.Rx),
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

        foreach ((string name, int pin) in Esp32Pins)
        {
            if (pin is < 0 or > 39 || pin is 20 or 24 or (>= 28 and <= 31))
            {
                problems.Add($"esp32 {name}: GPIO {pin} does not exist on the ESP32");
            }
            else if (Esp32.ReservedPins.Flash.Contains(pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} is wired to the SPI flash");
            }
            else if (Esp32.ReservedPins.Strapping.Contains(pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} is a strapping pin and may keep the ESP32 from booting");
            }
            else if (Esp32.ReservedPins.PsramOnWrover.Contains(pin))
            {
                problems.Add($"esp32 {name}: GPIO {pin} carries the PSRAM on WROVER modules");
            }
            else if (Esp32.ReservedPins.InputOnly.Contains(pin) && name.EndsWith(".tx", StringComparison.Ordinal))
            {
                problems.Add($"esp32 {name}: GPIO {pin} is input-only and cannot transmit");
            }
        }

        // Two peripherals cannot share one UART; "unassigned" marks an open question, not a clash.
        foreach (IGrouping<string, string> shared in new[] { Esp32.Console.Uart, Esp32.Pn532.Uart, Esp32.Fingerprint.Uart, Esp32.Printer.Uart }
                     .Where(uart => uart != UnassignedUart).GroupBy(uart => uart).Where(group => group.Count() > 1))
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
    SerialPins Console,
    SerialPins Pn532,
    SerialPins Fingerprint,
    SerialPins Printer);

public sealed record Esp32ReservedPins(int[] Flash, int[] Strapping, int[] PsramOnWrover, int[] InputOnly);

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
