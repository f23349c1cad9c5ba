using Kiosk.DeviceContract;

namespace Kiosk.Host.Devices;

/// <summary>What the host knows about the firmware right now.</summary>
public sealed record DeviceSnapshot(
    bool BrokerConnected,
    DeviceStatus? Status,
    bool CardPresent,
    bool FingerPresent,
    PrinterState? Printer,
    DateTimeOffset? LastMessageAt);

/// <summary>The host's link to the firmware (over MQTT in production).</summary>
public interface IFirmwareLink
{
    DeviceSnapshot Snapshot { get; }

    /// <summary>Raised (on a broker thread) for each parsed firmware message and broker connection change.</summary>
    event Action<DeviceEvent>? Changed;

    /// <summary>Sends a command (<see cref="TopicKind.ApduCommand"/> or <see cref="TopicKind.PrintCommand"/>) and waits
    /// for its reply. Throws <see cref="FirmwareUnavailableException"/> when the broker is down or the firmware does not
    /// answer in time.</summary>
    Task<FirmwareReply> RequestAsync(TopicKind command, byte[] payload, TimeSpan timeout, CancellationToken ct);

    /// <summary>
    /// Pipelining: returns once the request is handed to the broker (so requests sent one after the other reach the
    /// firmware in that order), with the task of its reply. This default waits for the reply before it returns.
    /// </summary>
    async Task<Task<FirmwareReply>> SendRequestAsync(TopicKind command, byte[] payload, TimeSpan timeout, CancellationToken ct) =>
        Task.FromResult(await RequestAsync(command, payload, timeout, ct));
}

public sealed class FirmwareUnavailableException(string reason) : Exception(reason);

/// <summary>Used when the host runs without a broker (<c>--mqtt false</c>).</summary>
public sealed class NoFirmwareLink : IFirmwareLink
{
    public DeviceSnapshot Snapshot { get; } = new(false, null, false, false, null, null);
    public event Action<DeviceEvent>? Changed { add { } remove { } }
    public Task<FirmwareReply> RequestAsync(TopicKind command, byte[] payload, TimeSpan timeout, CancellationToken ct) =>
        throw new FirmwareUnavailableException("no broker configured");
}
