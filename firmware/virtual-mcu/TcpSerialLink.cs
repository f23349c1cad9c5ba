using System.Net.Sockets;
using Kiosk.Firmware.Platform;

namespace Kiosk.Firmware.VirtualMcu;

/// <summary>
/// A serial line carried over TCP, like a serial-to-network bridge: the peripheral simulator listens, we connect.
/// When the simulator is down or restarts, writes are dropped and reads time out (the firmware sees a silent
/// peripheral), and the link reconnects on its own at most once a second.
/// </summary>
public sealed class TcpSerialLink : ISerialLink, IDisposable
{
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMilliseconds(500);

    private readonly string _name;
    private readonly string _host;
    private readonly int _port;
    private readonly Action<string> _log;
    private Socket? _socket;
    private DateTime _nextAttempt = DateTime.MinValue;
    private bool _disposed;

    public TcpSerialLink(string name, string host, int port, Action<string> log)
    {
        _name = name;
        _host = host;
        _port = port;
        _log = log;
    }

    public bool IsConnected => _socket != null;

    public void Write(byte[] buffer, int offset, int count)
    {
        Socket? socket = EnsureConnected();
        if (socket == null) return;
        try
        {
            int sent = 0;
            while (sent < count) sent += socket.Send(buffer, offset + sent, count - sent, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Drop("write failed");
        }
    }

    public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        if (count <= 0) return 0;
        Socket? socket = EnsureConnected();
        if (socket == null)
        {
            // Behave like a quiet UART: the caller's timeout passes, so its loops cannot spin.
            Thread.Sleep(Math.Max(0, timeoutMilliseconds));
            return 0;
        }
        try
        {
            int microseconds = Math.Clamp(timeoutMilliseconds, 0, int.MaxValue / 1000) * 1000;
            if (!socket.Poll(microseconds, SelectMode.SelectRead))
                return 0;
            int received = socket.Receive(buffer, offset, count, SocketFlags.None);
            if (received == 0) Drop("closed by the peer");
            return received;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Drop("read failed");
            return 0;
        }
    }

    public void DiscardInput()
    {
        Socket? socket = _socket;
        if (socket == null) return;
        try
        {
            byte[] scratch = new byte[1024];
            while (socket.Available > 0) socket.Receive(scratch, 0, Math.Min(scratch.Length, socket.Available), SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Drop("discard failed");
        }
    }

    private Socket? EnsureConnected()
    {
        if (_socket != null || _disposed) return _socket;
        if (DateTime.UtcNow < _nextAttempt) return null;
        _nextAttempt = DateTime.UtcNow + ReconnectInterval;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            Task connect = socket.ConnectAsync(_host, _port);
            if (!connect.Wait(ConnectTimeout) || !socket.Connected)
            {
                socket.Dispose();
                return null;
            }
        }
        catch (Exception)
        {
            socket.Dispose();
            return null;
        }
        _socket = socket;
        _log($"{_name}: connected to {_host}:{_port}");
        return socket;
    }

    private void Drop(string why)
    {
        Socket? socket = _socket;
        _socket = null;
        if (socket == null) return;
        _log($"{_name}: link lost ({why}); reconnecting");
        try { socket.Dispose(); } catch (Exception) { }
    }

    public void Dispose()
    {
        _disposed = true;
        Socket? socket = _socket;
        _socket = null;
        socket?.Dispose();
    }
}
