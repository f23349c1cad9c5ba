namespace Kiosk.Host.Card;

/// <summary>
/// Sends one command APDU to the card in the field and returns the response APDU (data + SW). The foundation channel
/// relays plain APDUs through the firmware (<see cref="Kiosk.Host.Devices.FirmwareCardChannel"/>); a later secure
/// messaging channel (after PACE/BAC) wraps another channel with the same interface.
/// </summary>
public interface ICardChannel
{
    Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct);
}

/// <summary>The card left the field or the relay could not reach it.</summary>
public sealed class CardUnavailableException(string reason) : Exception(reason);
