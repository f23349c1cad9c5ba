using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kiosk.DemoLauncher;

/// <summary>Where each component of one simulated kiosk listens.</summary>
public sealed record KioskPorts(int Broker, int Portal, int Pn532, int Fingerprint, int Printer, int Control, int Host)
{
    public static readonly KioskPorts Demo = new(1883, 8090, 7010, 7011, 9100, 8091, 8080) { PortalTls = 8093, BrokerTls = 8883 };

    /// <summary>The edge broker's TLS listener for the devices (the virtual MCU connects there, as the ESP32 does).</summary>
    public int BrokerTls { get; init; }

    /// <summary>The portal's mutual-TLS listener (dossier submission); 0: the host talks plain HTTP to <see cref="Portal"/>.</summary>
    public int PortalTls { get; init; }

    /// <summary>Free ports picked by the kernel, for tests that run beside a demo.</summary>
    public static KioskPorts Free()
    {
        var ports = new int[9];
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < ports.Length; i++)
            {
                var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
                ports[i] = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            }
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
        return new(ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6]) { PortalTls = ports[7], BrokerTls = ports[8] };
    }

    public string HostUrl => $"http://127.0.0.1:{Host}";
    public string PortalUrl => $"http://127.0.0.1:{Portal}";
    public string ControlUrl => $"http://127.0.0.1:{Control}";
    /// <summary>Where the host delivers dossiers: HTTPS with a client certificate (mutual TLS).</summary>
    public string PortalTlsUrl => $"https://127.0.0.1:{PortalTls}";
}

/// <summary>One running component: its process and its log file.</summary>
public sealed class ComponentProcess(string name, Process process, string logPath)
{
    public string Name { get; } = name;
    public Process Process { get; } = process;
    public string LogPath { get; } = logPath;
    public bool HasExited => Process.HasExited;
}

/// <summary>
/// Starts and stops the processes of one simulated kiosk: edge broker, portal simulator, peripheral simulator,
/// virtual MCU (the firmware) and kiosk host, in that order, each waiting until the one before it answers.
/// </summary>
public sealed class KioskProcesses : IAsyncDisposable
{
    public const string DeviceId = "mcu-01";
    /// <summary>The virtual MCU's exit code for "reboot me" (firmware/virtual-mcu VirtualDevicePlatform.RebootExitCode).</summary>
    public const int RebootExitCode = 75;
    /// <summary>The host's kiosk id (its default, "kiosk-" + device): the CN of its client certificate.</summary>
    public const string KioskId = "kiosk-" + DeviceId;

    private readonly List<ComponentProcess> _running = [];
    private readonly Dictionary<string, (string ProjectFolder, string AssemblyName, string[] Arguments, Func<Task<bool>> IsReady)> _started = [];
    private readonly string _repositoryRoot;
    private readonly string _configuration;

    public KioskProcesses(string dataFolder, KioskPorts ports)
    {
        DataFolder = Path.GetFullPath(dataFolder);
        Ports = ports;
        _repositoryRoot = FindRepositoryRoot();
#if DEBUG
        _configuration = "Debug";
#else
        _configuration = "Release";
#endif
    }

    public string DataFolder { get; }
    public KioskPorts Ports { get; }
    public IReadOnlyList<ComponentProcess> Running => _running;
    public string LogFolder => Path.Combine(DataFolder, "logs");
    /// <summary>The demo CA (created by the portal simulator on first start): CA, portal and kiosk certificates.</summary>
    public string PkiFolder => Path.Combine(DataFolder, "pki");

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kiosk.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Kiosk.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Where the build put a component's assembly (same configuration as this launcher).</summary>
    public string BuiltAssembly(string projectFolder, string assemblyName) =>
        Path.Combine(_repositoryRoot, projectFolder, "bin", _configuration, "net10.0", assemblyName + ".dll");

    public async Task StartAllAsync(CancellationToken cancel = default)
    {
        Directory.CreateDirectory(LogFolder);
        string secrets = Path.Combine(DataFolder, "secrets");
        string broker = $"127.0.0.1:{Ports.Broker}";

        await StartAsync("edge-broker", "edge-broker/Kiosk.EdgeBroker", "Kiosk.EdgeBroker",
            ["--port", Ports.Broker.ToString(), "--tls-port", Ports.BrokerTls.ToString(), "--tls-bind", "127.0.0.1",
             "--tls-host", "127.0.0.1", "--data", Path.Combine(DataFolder, "broker"), "--secrets", secrets],
            async () => await TcpAcceptsAsync(Ports.Broker) && await TcpAcceptsAsync(Ports.BrokerTls), cancel);

        await StartAsync("portal-simulator", "simulators/Kiosk.Simulators.Portal", "Kiosk.Simulators.Portal",
            ["--urls", Ports.PortalUrl, "--data", Path.Combine(DataFolder, "portal"), .. PortalTlsArguments()],
            () => HttpAnswersAsync(Ports.PortalUrl + "/api/dossiers"), cancel);

        await StartAsync("peripheral-simulator", "simulators/Kiosk.Simulators.Peripherals", "Kiosk.Simulators.Peripherals",
            ["--pn532-port", Ports.Pn532.ToString(), "--fingerprint-port", Ports.Fingerprint.ToString(),
             "--printer-port", Ports.Printer.ToString(), "--control-urls", Ports.ControlUrl,
             "--data", Path.Combine(DataFolder, "peripherals")],
            () => HttpAnswersAsync(Ports.ControlUrl + "/api/state"), cancel);

        // The device settings file is the one the edge broker wrote for this device: TLS to its CA, as on the ESP32.
        await StartAsync("virtual-mcu", "firmware/virtual-mcu", "Kiosk.Firmware.VirtualMcu",
            ["--config", Path.Combine(secrets, $"device-{DeviceId}.conf"), "--storage", Path.Combine(DataFolder, "mcu"),
             "--pn532", $"127.0.0.1:{Ports.Pn532}", "--fingerprint", $"127.0.0.1:{Ports.Fingerprint}",
             "--printer", $"127.0.0.1:{Ports.Printer}"],
            () => Task.FromResult(true), cancel);

        await StartAsync("kiosk-host", "kiosk-host/Kiosk.Host", "Kiosk.Host",
            ["--urls", Ports.HostUrl, "--data", Path.Combine(DataFolder, "host"), "--broker", broker,
             "--secrets", secrets, "--device", DeviceId, .. HostPortalArguments(),
             // Passive authentication trusts the test CSCA the peripheral simulator created at its start.
             "--csca", Path.Combine(DataFolder, "peripherals", "pki", "trust")],
            () => HttpAnswersAsync(Ports.HostUrl + "/api/status"), cancel);
    }

    /// <summary>The portal's mutual-TLS listener and the demo CA, with a client certificate for this kiosk.</summary>
    private string[] PortalTlsArguments() => Ports.PortalTls == 0 ? [] :
        ["--mtls-url", Ports.PortalTlsUrl, "--pki", PkiFolder, "--kiosks", KioskId];

    /// <summary>The host delivers over mutual TLS when the portal has that listener, else over plain HTTP.</summary>
    private string[] HostPortalArguments() => Ports.PortalTls == 0 ? ["--portal", Ports.PortalUrl] :
        ["--portal", Ports.PortalTlsUrl, "--portal-ca", Path.Combine(PkiFolder, "ca.crt"),
         "--client-cert", Path.Combine(PkiFolder, KioskId + ".crt"), "--client-key", Path.Combine(PkiFolder, KioskId + ".key")];

    private async Task StartAsync(string name, string projectFolder, string assemblyName, string[] arguments,
        Func<Task<bool>> isReady, CancellationToken cancel)
    {
        string dll = BuiltAssembly(projectFolder, assemblyName);
        if (!File.Exists(dll)) throw new FileNotFoundException($"{name} is not built: {dll}");
        _started[name] = (projectFolder, assemblyName, arguments, isReady);

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _repositoryRoot,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        string logPath = Path.Combine(LogFolder, name + ".log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Flush(); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _running.Add(new ComponentProcess(name, process, logPath));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await isReady())
        {
            cancel.ThrowIfCancellationRequested();
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} at start-up; see {logPath}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{name} did not become ready within 60 s; see {logPath}");
            await Task.Delay(100, cancel);
        }
    }

    /// <summary>Asks each process to stop (SIGTERM, newest first) and kills what is still running after the grace period.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        for (int i = _running.Count - 1; i >= 0; i--)
        {
            var component = _running[i];
            if (!component.HasExited) SendTerminate(component.Process.Id);
        }
        var deadline = DateTime.UtcNow + grace;
        foreach (var component in _running)
        {
            var left = deadline - DateTime.UtcNow;
            if (left > TimeSpan.Zero)
            {
                using var timeout = new CancellationTokenSource(left);
                try { await component.Process.WaitForExitAsync(timeout.Token); } catch (OperationCanceledException) { }
            }
            if (!component.HasExited) component.Process.Kill(entireProcessTree: true);
        }
        _running.Clear();
    }

    /// <summary>
    /// Kills one component at once with SIGKILL (no shutdown code runs: a crash or a power cut as the process sees it)
    /// and waits until it is gone. Used by the crash tests.
    /// </summary>
    public async Task KillAsync(string name)
    {
        var component = Find(name);
        const int SIGKILL = 9;
        if (!component.HasExited)
        {
            if (OperatingSystem.IsWindows()) component.Process.Kill();
            else SysKill(component.Process.Id, SIGKILL);
        }
        await component.Process.WaitForExitAsync();
        _running.Remove(component);
    }

    /// <summary>Starts a component again with the arguments it was first started with (after <see cref="KillAsync"/>).</summary>
    public Task RestartAsync(string name, CancellationToken cancel = default)
    {
        if (_running.Any(c => c.Name == name && !c.HasExited)) throw new InvalidOperationException($"{name} is still running");
        _running.RemoveAll(c => c.Name == name);
        var (projectFolder, assemblyName, arguments, isReady) = _started[name];
        return StartAsync(name, projectFolder, assemblyName, arguments, isReady, cancel);
    }

    /// <summary>A running component by name (edge-broker, portal-simulator, peripheral-simulator, virtual-mcu, kiosk-host).</summary>
    public ComponentProcess Find(string name) => _running.Single(c => c.Name == name);

    public async ValueTask DisposeAsync() => await StopAllAsync(TimeSpan.FromSeconds(5));

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    private static void SendTerminate(int pid)
    {
        const int SIGTERM = 15;
        if (OperatingSystem.IsWindows()) Process.GetProcessById(pid).Kill();
        else SysKill(pid, SIGTERM);
    }

    private static async Task<bool> TcpAcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    private static async Task<bool> HttpAnswersAsync(string url)
    {
        try
        {
            using var response = await Probe.GetAsync(url);
            return (int)response.StatusCode < 500;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
