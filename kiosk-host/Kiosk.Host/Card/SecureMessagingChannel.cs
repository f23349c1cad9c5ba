using Kiosk.Emrtd;
using Kiosk.Emrtd.SecureMessaging;
using EmrtdCommandApdu = Kiosk.Emrtd.Iso7816.CommandApdu;

namespace Kiosk.Host.Card;

/// <summary>
/// A card channel after PACE or BAC: plain APDUs in and out, secure messaging on the wire (so the firmware relay only
/// ever sees ciphertext). A response whose MAC does not verify is a <see cref="CardDataException"/>.
/// </summary>
internal sealed class SecureMessagingChannel(ICardChannel inner, SecureMessagingSession session) : ICardChannel
{
    /// <summary>The keys in use; chip authentication replaces them (SSC 0) once the chip has the terminal's key.</summary>
    public SecureMessagingSession Session { get; set; } = session;

    public async Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct)
    {
        byte[] wrapped;
        try { wrapped = Session.WrapCommand(EmrtdCommandApdu.Parse(command)); }
        catch (EmrtdException e) { throw new CardDataException(CardDataError.SecureMessaging, e); }
        byte[] response = await inner.TransmitAsync(wrapped, ct);
        try { return Session.UnwrapResponse(response).Encode(); }
        catch (EmrtdException e) { throw new CardDataException(CardDataError.SecureMessaging, e); }
    }

    /// <summary>
    /// Wraps every command first, each with the counter its response will have, then lets the inner channel pipeline
    /// them, and checks the responses in order.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> TransmitAllAsync(IReadOnlyList<byte[]> commands, CancellationToken ct)
    {
        var wrapped = new byte[commands.Count][];
        var slots = new ResponseSlot[commands.Count];
        try
        {
            for (int i = 0; i < commands.Count; i++) wrapped[i] = Session.WrapCommand(EmrtdCommandApdu.Parse(commands[i]), out slots[i]);
        }
        catch (EmrtdException e) { throw new CardDataException(CardDataError.SecureMessaging, e); }
        IReadOnlyList<byte[]> responses = await inner.TransmitAllAsync(wrapped, ct);
        var plain = new byte[responses.Count][];
        try
        {
            for (int i = 0; i < responses.Count; i++) plain[i] = Session.UnwrapResponse(slots[i], responses[i]).Encode();
        }
        catch (EmrtdException e) { throw new CardDataException(CardDataError.SecureMessaging, e); }
        return plain;
    }
}
