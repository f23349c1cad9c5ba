using Kiosk.DeviceContract;
using Kiosk.Host.Card;

namespace Kiosk.Host.Devices;

/// <summary>The plain APDU relay through the firmware's <c>cmd/apdu</c> (PN532 InDataExchange).</summary>
public sealed class FirmwareCardChannel(IFirmwareLink link) : ICardChannel
{
    public async Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct)
    {
        FirmwareReply reply;
        try
        {
            reply = await link.RequestAsync(TopicKind.ApduCommand, command, MqttFirmwareLink.ApduTimeout, ct);
        }
        catch (FirmwareUnavailableException e)
        {
            throw new CardUnavailableException(e.Message);
        }
        return reply.Code switch
        {
            ReplyResult.Ok => reply.Body,
            ReplyResult.NoCard => throw new CardUnavailableException("no card in the field"),
            var code => throw new CardUnavailableException($"reader answered {code}"),
        };
    }
}
