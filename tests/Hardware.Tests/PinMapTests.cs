using Kiosk.Hardware;

namespace Hardware.Tests;

public class PinMapTests
{
    static readonly string PinMapPath = Path.Combine(AppContext.BaseDirectory, "pinmap.json");

    [Fact]
    public void The_repository_pin_map_parses()
    {
        PinMap map = PinMap.Load(PinMapPath);

        Assert.Equal("UART1", map.Esp32.Pn532.Uart);
        Assert.Equal(57600, map.Esp32.Fingerprint.Baud);
        Assert.NotNull(map.Esp32.Fingerprint.TouchIrq);
        Assert.Equal("BCM", map.RaspberryPi.Numbering);
        Assert.True(map.RaspberryPi.PresenceSensor.HoldMilliseconds > 0);
    }

    [Fact]
    public void The_repository_pin_map_has_no_problems()
    {
        PinMap map = PinMap.Load(PinMapPath);

        Assert.Empty(map.FindProblems());
    }

    [Fact]
    public void No_pin_is_used_twice_on_either_board()
    {
        PinMap map = PinMap.Load(PinMapPath);

        Assert.Equal(map.Esp32Pins.Count, map.Esp32Pins.Select(entry => entry.Pin).Distinct().Count());
        Assert.Equal(map.RaspberryPiPins.Count, map.RaspberryPiPins.Select(entry => entry.Pin).Distinct().Count());
    }

    [Fact]
    public void No_esp32_flash_pin_is_used()
    {
        PinMap map = PinMap.Load(PinMapPath);

        Assert.DoesNotContain(map.Esp32Pins, entry => entry.Pin is >= 6 and <= 11);
    }

    [Fact]
    public void The_usb_console_keeps_uart0_on_gpio_1_and_3()
    {
        PinMap map = PinMap.Load(PinMapPath);

        Assert.Equal(("UART0", 1, 3), (map.Esp32.Console.Uart, map.Esp32.Console.Tx, map.Esp32.Console.Rx));
        Assert.DoesNotContain(new[] { map.Esp32.Pn532.Uart, map.Esp32.Fingerprint.Uart, map.Esp32.Printer.Uart }, uart => uart == "UART0");
    }

    [Theory]
    [InlineData(6, "wired to the SPI flash")]
    [InlineData(0, "strapping pin")]
    [InlineData(16, "PSRAM")]
    [InlineData(26, "used by pn532.tx and fingerprint.tx")]
    [InlineData(34, "input-only")]
    [InlineData(24, "does not exist")]
    public void FindProblems_catches_bad_esp32_pins(int pn532TxPin, string expected)
    {
        PinMap map = PinMap.Load(PinMapPath);
        PinMap broken = map with { Esp32 = map.Esp32 with { Pn532 = map.Esp32.Pn532 with { Tx = pn532TxPin } } };

        Assert.Contains(broken.FindProblems(), problem => problem.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void FindProblems_catches_a_shared_pi_pin()
    {
        PinMap map = PinMap.Load(PinMapPath);
        PinMap broken = map with
        {
            RaspberryPi = map.RaspberryPi with { TamperSwitch = map.RaspberryPi.TamperSwitch with { Pin = map.RaspberryPi.StatusLight.Red } },
        };

        Assert.Contains(broken.FindProblems(), problem => problem.StartsWith("raspberryPi: pin 5 is used by", StringComparison.Ordinal));
    }

    [Fact]
    public void The_parts_list_has_one_row_per_part_with_every_column()
    {
        string partsPath = Path.Combine(AppContext.BaseDirectory, "parts.csv");
        string[] lines = File.ReadAllLines(partsPath).Where(line => line.Length > 0).ToArray();

        Assert.Equal("part,model,qty,interface,voltage,notes,approx_price_vnd", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.Equal(7, line.Split(',').Length));
        Assert.Contains(lines, line => line.Contains("PN532", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("R503", StringComparison.Ordinal));
    }
}

public class PinMapUartTests
{
    [Fact]
    public void Two_peripherals_on_one_uart_is_a_problem()
    {
        PinMap map = PinMap.Load(Path.Combine(AppContext.BaseDirectory, "pinmap.json"));
        PinMap broken = map with { Esp32 = map.Esp32 with { Printer = map.Esp32.Printer with { Uart = "UART2" } } };

        Assert.Contains("esp32: UART2 is assigned to more than one peripheral", broken.FindProblems());
    }
}
