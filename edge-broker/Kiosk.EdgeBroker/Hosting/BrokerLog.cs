namespace Kiosk.EdgeBroker.Hosting;

/// <summary>
/// One line per event on stdout: connections, disconnections, denials. Carries client ids, user names and topics;
/// never payloads or passwords (payloads may be APDUs from a citizen's ID card).
/// </summary>
public sealed class BrokerLog(TextWriter output)
{
    readonly Lock _sync = new();

    public void Info(string message) => Write("info", message);

    public void Warn(string message) => Write("warn", message);

    public void Denied(string message) => Write("deny", message);

    void Write(string level, string message)
    {
        lock (_sync)
        {
            output.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level} {message}");
            output.Flush();
        }
    }
}
