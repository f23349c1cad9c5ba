using Kiosk.Simulators.Peripherals;
using Kiosk.Simulators.VirtualCard.Profiles;

SimulatorOptions options;
try
{
    options = SimulatorOptions.Parse(args);
}
catch (CommandLineException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(SimulatorOptions.Usage);
    return 2;
}

PeripheralSimulator simulator;
try
{
    simulator = await PeripheralSimulator.StartAsync(options);
}
catch (InvalidProfileException e)
{
    Console.Error.WriteLine($"cannot start: {e.Message}");
    return 1;
}
catch (System.Net.Sockets.SocketException e)
{
    Console.Error.WriteLine($"cannot start: a device port is not free ({e.Message})");
    return 1;
}
catch (IOException e)
{
    Console.Error.WriteLine($"cannot start: {e.Message}");
    return 1;
}

await using (simulator)
{
    Console.WriteLine($"peripheral simulator: PN532 on 127.0.0.1:{simulator.Pn532Port}, fingerprint on 127.0.0.1:{simulator.FingerprintPort}, " +
        $"printer on 127.0.0.1:{simulator.PrinterPort}, control page {simulator.ControlUri}");
    await simulator.WaitForShutdownAsync();
}
return 0;
