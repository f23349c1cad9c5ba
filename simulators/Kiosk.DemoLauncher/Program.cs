using System.Runtime.InteropServices;
using Kiosk.DemoLauncher;

// ./kiosk demo [--data DIR]: the whole kiosk on simulated hardware, one process per component, until Ctrl+C.
string dataFolder = "var";
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--data" && i + 1 < args.Length) dataFolder = args[++i];
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: kiosk demo [--data DIR]");
        return 2;
    }
}

var ports = KioskPorts.Demo;
await using var kiosk = new KioskProcesses(dataFolder, ports);
using var stop = new CancellationTokenSource();
// Ctrl+C, a closed terminal or a service manager's SIGTERM: stop the children first, then exit.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopGracefully);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopGracefully);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, StopGracefully);
void StopGracefully(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

try
{
    Console.WriteLine($"Starting the kiosk on simulated hardware; state in {kiosk.DataFolder}");
    await kiosk.StartAllAsync(stop.Token);
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Console.Error.WriteLine("Start-up failed: " + e.Message);
    await kiosk.StopAllAsync(TimeSpan.FromSeconds(5));
    return 1;
}
catch (OperationCanceledException)
{
    await kiosk.StopAllAsync(TimeSpan.FromSeconds(5));
    return 130;
}

Console.WriteLine($"""

  Residents' UI            {ports.HostUrl}/
  Maintenance console      {ports.HostUrl}/maintenance
  Simulator control page   {ports.ControlUrl}/   (place a card, a finger; printer cover and paper)
  Portal simulator         {ports.PortalUrl}/api/dossiers   (filings arrive over mTLS at {ports.PortalTlsUrl}; demo CA in {kiosk.PkiFolder}/)
  Edge broker (MQTT)       127.0.0.1:{ports.Broker} (loopback, plain) and 127.0.0.1:{ports.BrokerTls} (TLS, devices)
  Virtual PN532 reader     tcp 127.0.0.1:{ports.Pn532}
  Virtual fingerprint      tcp 127.0.0.1:{ports.Fingerprint}
  Virtual receipt printer  tcp 127.0.0.1:{ports.Printer}
  Logs                     {kiosk.LogFolder}/
  Technician CLI           ./kiosk ctl status

Press Ctrl+C to stop everything.
""");

while (!stop.IsCancellationRequested)
{
    var crashed = kiosk.Running.FirstOrDefault(c => c.HasExited);
    if (crashed is { Name: "virtual-mcu" } && crashed.Process.ExitCode == KioskProcesses.RebootExitCode)
    {
        // The firmware rebooted itself (its watchdog, or on purpose): a board comes back, so the virtual one does too.
        Console.WriteLine("virtual-mcu rebooted; starting it again");
        await kiosk.RestartAsync(crashed.Name, stop.Token);
        continue;
    }
    if (crashed != null)
    {
        Console.Error.WriteLine($"{crashed.Name} stopped (exit code {crashed.Process.ExitCode}); see {crashed.LogPath}. Stopping the rest.");
        await kiosk.StopAllAsync(TimeSpan.FromSeconds(5));
        return 1;
    }
    try { await Task.Delay(500, stop.Token); } catch (OperationCanceledException) { }
}

Console.WriteLine("Stopping...");
await kiosk.StopAllAsync(TimeSpan.FromSeconds(10));
Console.WriteLine("Stopped.");
return 0;
