namespace Kiosk.Host.Card;

/// <summary>
/// Sends command APDUs to the card in the field and returns the response APDUs (data + SW). The relay through the
/// firmware is <see cref="Kiosk.Host.Devices.FirmwareCardChannel"/>; after PACE or BAC a secure-messaging channel wraps
/// another channel with the same interface.
/// </summary>
public interface ICardChannel
{
    Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct);

    /// <summary>
    /// Sends several commands whose order is fixed in advance (the blocks of one file) and returns their responses in
    /// the same order. A channel with a round trip of its own (the MQTT relay) keeps a few of them in flight, so the
    /// card is never idle waiting for the next command; the card still receives them one by one, in this order. This
    /// default sends them one after the other.
    /// </summary>
    async Task<IReadOnlyList<byte[]>> TransmitAllAsync(IReadOnlyList<byte[]> commands, CancellationToken ct)
    {
        var responses = new byte[commands.Count][];
        for (int i = 0; i < commands.Count; i++) responses[i] = await TransmitAsync(commands[i], ct);
        return responses;
    }
}

/// <summary>The card left the field or the relay could not reach it.</summary>
public sealed class CardUnavailableException(string reason) : Exception(reason);
