using System.Net.Sockets;
using System.Text;

namespace EdgeBroker.Tests;

/// <summary>
/// Hand-built MQTT 3.1.1 packets over a bare socket: for what a well-behaved client library will not do, such as
/// vanishing without DISCONNECT, sending garbage or sending more than the broker announced.
/// </summary>
public static class RawMqtt
{
    public sealed record Will(string Topic, byte[] Payload, bool Retain);

    public static byte[] Connect(string clientId, string user, string password, Will? will = null)
    {
        var variable = new List<byte>();
        variable.AddRange(String("MQTT"));
        variable.Add(4); // protocol level 3.1.1
        byte flags = 0xC2; // user name, password, clean session
        if (will is not null)
        {
            flags |= 0x04 | 0x08; // will, will QoS 1
            if (will.Retain)
            {
                flags |= 0x20;
            }
        }

        variable.Add(flags);
        variable.AddRange([0, 60]); // keep-alive seconds
        variable.AddRange(String(clientId));
        if (will is not null)
        {
            variable.AddRange(String(will.Topic));
            variable.AddRange(Binary(will.Payload));
        }

        variable.AddRange(String(user));
        variable.AddRange(String(password));
        return Packet(0x10, variable);
    }

    public static byte[] Publish(string topic, byte[] payload)
    {
        var body = new List<byte>(payload.Length + topic.Length + 2);
        body.AddRange(String(topic));
        body.AddRange(payload);
        return Packet(0x30, body);
    }

    public static async Task<Socket> OpenAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        return socket;
    }

    /// <summary>Reads the 4-byte CONNACK and returns its return code (0 = accepted).</summary>
    public static async Task<int> ReadConnAckAsync(Socket socket)
    {
        var buffer = new byte[4];
        int read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < 4)
        {
            int got = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (got == 0)
            {
                throw new IOException("closed before CONNACK");
            }

            read += got;
        }

        Assert.Equal(0x20, buffer[0]);
        return buffer[3];
    }

    /// <summary>Waits until the broker closes the connection; false if it is still open after the wait.</summary>
    public static async Task<bool> IsClosedByPeerAsync(Socket socket, TimeSpan wait)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                int got = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (got == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    static byte[] Packet(byte header, List<byte> body)
    {
        var packet = new List<byte>(body.Count + 5) { header };
        int length = body.Count;
        do
        {
            byte digit = (byte)(length % 128);
            length /= 128;
            if (length > 0)
            {
                digit |= 0x80;
            }

            packet.Add(digit);
        }
        while (length > 0);

        packet.AddRange(body);
        return packet.ToArray();
    }

    static byte[] String(string text) => Binary(Encoding.UTF8.GetBytes(text));

    static byte[] Binary(byte[] data) => [(byte)(data.Length >> 8), (byte)data.Length, .. data];
}
