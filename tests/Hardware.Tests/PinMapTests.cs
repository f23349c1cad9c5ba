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

    /// <summary>Peripheral pins that sit on the SPI flash or the octal PSRAM, as pinmap.json's reservedPins lists them.</summary>
    static List<string> FlashOrPsramPinsUsed(PinMap map) =>
        map.Esp32Pins
            .Where(entry => map.Esp32.ReservedPins.Flash.Contains(entry.Pin) || map.Esp32.ReservedPins.OctalPsram.Contains(entry.Pin))
            .Select(entry => $"{entry.Name} = GPIO {entry.Pin}")
            .ToList();

    [Fact]
    public void The_reserved_pins_are_those_of_the_esp32_s3_r8_module()
    {
        Esp32ReservedPins reserved = PinMap.Load(PinMapPath).Esp32.ReservedPins;

        // Guards the check below: emptying a reserved list in pinmap.json must not make a conflict pass.
        Assert.Equal(Enumerable.Range(26, 7), reserved.Flash.Order());
        Assert.Equal(Enumerable.Range(33, 5), reserved.OctalPsram.Order());
        Assert.Equal([0, 3, 45, 46], reserved.Strapping.Order());
        Assert.Equal([19, 20], reserved.Usb.Order());
    }

    [Fact]
    public void No_esp32_flash_or_octal_psram_pin_is_used()
    {
        PinMap map = PinMap.Load(PinMapPath);

        Assert.Empty(FlashOrPsramPinsUsed(map));
    }

    [Fact]
    public void A_peripheral_on_a_flash_or_psram_pin_is_caught()
    {
        PinMap map = PinMap.Load(PinMapPath);
        PinMap broken = map with
        {
            Esp32 = map.Esp32 with
            {
                Pn532 = map.Esp32.Pn532 with { Tx = 30 },
                Fingerprint = map.Esp32.Fingerprint with { Rx = 35 },
            },
        };

        Assert.Equal(["pn532.tx = GPIO 30", "fingerprint.rx = GPIO 35"], FlashOrPsramPinsUsed(broken));
    }

    [Fact]
    public void The_console_is_on_native_usb_so_each_peripheral_has_its_own_uart()
    {
        PinMap map = PinMap.Load(PinMapPath);

        Assert.Equal((19, 20), (map.Esp32.Console.UsbDMinus, map.Esp32.Console.UsbDPlus));
        Assert.Equal(
            [("pn532", "UART1"), ("fingerprint", "UART2"), ("printer", "UART0")],
            new[] { ("pn532", map.Esp32.Pn532.Uart), ("fingerprint", map.Esp32.Fingerprint.Uart), ("printer", map.Esp32.Printer.Uart) });
        Assert.DoesNotContain(map.Esp32Pins, entry => entry.Pin is 19 or 20 or 43 or 44);
    }

    [Theory]
    [InlineData(26, "wired to the SPI flash")]
    [InlineData(32, "wired to the SPI flash")]
    [InlineData(33, "octal PSRAM")]
    [InlineData(37, "octal PSRAM")]
    [InlineData(0, "strapping pin")]
    [InlineData(46, "strapping pin")]
    [InlineData(19, "USB data line")]
    [InlineData(20, "USB data line")]
    [InlineData(43, "UART0's default pins")]
    [InlineData(15, "used by pn532.tx and fingerprint.tx")]
    [InlineData(22, "does not exist")]
    [InlineData(49, "does not exist")]
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

    [Fact]
    public void A_peripheral_without_a_real_uart_is_a_problem()
    {
        PinMap map = PinMap.Load(Path.Combine(AppContext.BaseDirectory, "pinmap.json"));
        PinMap broken = map with { Esp32 = map.Esp32 with { Printer = map.Esp32.Printer with { Uart = "unassigned" } } };

        Assert.Contains("esp32 printer: \"unassigned\" is not one of UART0, UART1, UART2", broken.FindProblems());
    }
}
