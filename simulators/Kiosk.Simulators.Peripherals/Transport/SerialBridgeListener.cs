using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kiosk.Simulators.Peripherals.Transport;

/// <summary>Where a device writes its answers: the TCP client connected at the moment.</summary>
public interface ISerialOutput
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);
}

/// <summary>Bytes a device sends back, after the time the device (or the air interface behind it) takes.</summary>
public readonly record struct DeviceOutput(TimeSpan DelayBefore, byte[] Bytes);

public static class SerialOutputExtensions
{
    /// <summary>Sends each answer in order, waiting its delay first, as the real device would.</summary>
    public static Task SendAllAsync(this ISerialOutput output, IEnumerable<DeviceOutput> answers, CancellationToken cancellationToken) =>
        output.SendAllAsync(Stopwatch.GetTimestamp(), answers, cancellationToken);

    /// <summary>
    /// Sends each answer in order, each one its delay after the previous, counted from <paramref name="startTimestamp"/>
    /// (a <see cref="Stopwatch"/> timestamp): the moment the command came in. The simulation's own work on the command
    /// (a virtual card's crypto) then runs inside the modelled time, as the real chip's does, instead of adding to it.
    /// </summary>
    public static async Task SendAllAsync(this ISerialOutput output, long startTimestamp, IEnumerable<DeviceOutput> answers, CancellationToken cancellationToken)
    {
        long due = startTimestamp;
        foreach (DeviceOutput answer in answers)
        {
            if (answer.DelayBefore > TimeSpan.Zero)
            {
                due += (long)(answer.DelayBefore.TotalSeconds * Stopwatch.Frequency);
                await PreciseDelay.UntilAsync(due, cancellationToken);
            }
            await output.WriteAsync(answer.Bytes, cancellationToken);
        }
    }
}

/// <summary>
/// Waits until a <see cref="Stopwatch"/> timestamp, to within microseconds. Task.Delay alone wakes up one to several
/// milliseconds late on Linux (timer granularity, thread-pool wake-up, a busy machine), which on a card read of a hundred
/// APDUs would add more time than the air interface takes; so it sleeps all but a margin and spins the rest. The margin
/// follows how late Task.Delay has recently woken up (1 ms on a quiet machine, at most 2 ms: on a busy machine spinning
/// longer would take the CPU from the rest of the simulated kiosk). Never returns before the timestamp.
/// </summary>
public static class PreciseDelay
{
    public static readonly TimeSpan MinMargin = TimeSpan.FromMilliseconds(1);
    public static readonly TimeSpan MaxMargin = TimeSpan.FromMilliseconds(2);
    // Smoothed lateness of Task.Delay in milliseconds; races between callers only blur the average.
    private static double lateMs = 1;

    /// <summary>The time left to spin after sleeping: recent lateness plus half a millisecond, within the bounds.</summary>
    public static TimeSpan SpinMargin => TimeSpan.FromMilliseconds(Math.Clamp(lateMs + 0.5, MinMargin.TotalMilliseconds, MaxMargin.TotalMilliseconds));

    public static async Task UntilAsync(long dueTimestamp, CancellationToken cancellationToken)
    {
        TimeSpan margin = SpinMargin;
        TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueTimestamp);
        if (left > margin)
        {
            TimeSpan sleep = left - margin;
            long sleepStart = Stopwatch.GetTimestamp();
            await Task.Delay(sleep, cancellationToken);
            double late = (Stopwatch.GetElapsedTime(sleepStart) - sleep).TotalMilliseconds;
            lateMs = 0.8 * lateMs + 0.2 * Math.Max(0, late);
        }
        var spinner = new SpinWait();
        while (Stopwatch.GetTimestamp() < dueTimestamp)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // SpinOnce would start sleeping (1 ms and more) after a few rounds; stay on the CPU for this short wait.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}

/// <summary>A device that speaks a UART byte protocol. Calls are serialised: one chunk at a time.</summary>
public interface ISerialDevice
{
    /// <summary>A new client replaced the old one: drop half-received bytes, keep the device's own state.</summary>
    void OnConnected();

    /// <summary>Bytes as they came off the wire: any split, any garbage.</summary>
    Task ReceiveAsync(ReadOnlyMemory<byte> bytes, ISerialOutput output, CancellationToken cancellationToken);
}

/// <summary>
/// Exposes one <see cref="ISerialDevice"/> on a TCP port the way a serial-to-network bridge exposes a UART: raw bytes
/// both ways, one client at a time, and a new connection replaces the old one.
/// </summary>
public sealed class SerialBridgeListener : IAsyncDisposable
{
    /// <summary>A client that stops reading must not block the device forever.</summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly string deviceName;
    private readonly ISerialDevice device;
    private readonly ILogger logger;
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim deviceGate = new(1, 1);
    private readonly object connectionGate = new();
    private Connection? current;
    private Task? acceptLoop;

    public SerialBridgeListener(string deviceName, int port, ISerialDevice device, ILogger logger)
    {
        this.deviceName = deviceName;
        this.device = device;
        this.logger = logger;
        listener = new TcpListener(IPAddress.Loopback, port);
    }

    /// <summary>The port actually bound (differs from the requested one when that was 0).</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public bool ClientConnected
    {
        get { lock (connectionGate) return current is not null; }
    }

    public void Start()
    {
        listener.Start();
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (stopping.IsCancellationRequested) return;
                logger.LogWarning("{Device}: accept failed: {Error}", deviceName, e.Message);
                continue;
            }
            client.NoDelay = true;
            var connection = new Connection(client, CancellationTokenSource.CreateLinkedTokenSource(stopping.Token));
            Connection? replaced;
            lock (connectionGate)
            {
                replaced = current;
                current = connection;
            }
            if (replaced is not null)
            {
                logger.LogInformation("{Device}: a new client replaces the connected one", deviceName);
                replaced.Close();
            }
            else
            {
                logger.LogInformation("{Device}: client connected", deviceName);
            }
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Connection connection)
    {
        CancellationToken token = connection.Cancellation.Token;
        try
        {
            await deviceGate.WaitAsync(token);
            try
            {
                device.OnConnected();
            }
            finally
            {
                deviceGate.Release();
            }
            NetworkStream stream = connection.Client.GetStream();
            var output = new StreamOutput(stream);
            byte[] buffer = new byte[4096];
            while (!token.IsCancellationRequested)
            {
                int read = await stream.ReadAsync(buffer, token);
                if (read == 0) break;
                await deviceGate.WaitAsync(token);
                try
                {
                    await device.ReceiveAsync(buffer.AsMemory(0, read), output, token);
                }
                finally
                {
                    deviceGate.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away or was replaced: the normal end of a connection.
        }
        catch (Exception e)
        {
            // A bug in a device simulation must cost the connection, never the process. No payload is logged.
            logger.LogError("{Device}: connection dropped after an internal error: {Error}", deviceName, e.GetType().Name + ": " + e.Message);
        }
        finally
        {
            bool wasCurrent;
            lock (connectionGate)
            {
                wasCurrent = ReferenceEquals(current, connection);
                if (wasCurrent) current = null;
            }
            connection.Close();
            // The linked source holds a registration on the listener's token: release it with the connection.
            connection.Cancellation.Dispose();
            if (wasCurrent) logger.LogInformation("{Device}: client disconnected", deviceName);
        }
    }

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        listener.Stop();
        Connection? last;
        lock (connectionGate)
        {
            last = current;
            current = null;
        }
        last?.Close();
        if (acceptLoop is not null)
        {
            try
            {
                await acceptLoop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        stopping.Dispose();
    }

    private sealed class Connection(TcpClient client, CancellationTokenSource cancellation)
    {
        public TcpClient Client { get; } = client;
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public void Close()
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            Client.Dispose();
        }
    }

    private sealed class StreamOutput(NetworkStream stream) : ISerialOutput
    {
        public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(WriteTimeout);
            await stream.WriteAsync(bytes, timeout.Token);
        }
    }
}
