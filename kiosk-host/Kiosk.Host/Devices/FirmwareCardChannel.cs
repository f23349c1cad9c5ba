using Kiosk.DeviceContract;
using Kiosk.Host.Card;

namespace Kiosk.Host.Devices;

/// <summary>The plain APDU relay through the firmware's <c>cmd/apdu</c> (PN532 InDataExchange).</summary>
public sealed class FirmwareCardChannel(IFirmwareLink link) : ICardChannel
{
    /// <summary>
    /// Commands in flight when a file's blocks are read: one at the card, the next ones already in the firmware's queue
    /// (it holds 8), so the round trip host → broker → firmware → broker → host is hidden behind the card's air time.
    /// </summary>
    public const int PipelineDepth = 3;

    public async Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct) =>
        Body(await Relay(() => link.RequestAsync(TopicKind.ApduCommand, command, MqttFirmwareLink.ApduTimeout, ct)));

    /// <summary>
    /// Keeps up to <see cref="PipelineDepth"/> commands in flight. Each is published only after the one before it has
    /// been handed to the broker, so the firmware, which serves them one at a time, gives them to the card in order.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> TransmitAllAsync(IReadOnlyList<byte[]> commands, CancellationToken ct)
    {
        var responses = new byte[commands.Count][];
        var inFlight = new Queue<Task<FirmwareReply>>();
        int sent = 0;
        try
        {
            for (int received = 0; received < commands.Count; received++)
            {
                while (sent < commands.Count && inFlight.Count < PipelineDepth)
                {
                    byte[] command = commands[sent++];
                    inFlight.Enqueue(await Relay(() => link.SendRequestAsync(TopicKind.ApduCommand, command, MqttFirmwareLink.ApduTimeout, ct)));
                }
                responses[received] = Body(await Relay(() => inFlight.Dequeue()));
            }
            return responses;
        }
        finally
        {
            // After a failure the rest are abandoned: their replies, if any, find nobody waiting and are dropped.
            foreach (Task<FirmwareReply> abandoned in inFlight) _ = abandoned.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
    }

    private static async Task<T> Relay<T>(Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (FirmwareUnavailableException e)
        {
            throw new CardUnavailableException(e.Message);
        }
    }

    private static byte[] Body(FirmwareReply reply) => reply.Code switch
    {
        ReplyResult.Ok => reply.Body,
        ReplyResult.NoCard => throw new CardUnavailableException("no card in the field"),
        var code => throw new CardUnavailableException($"reader answered {code}"),
    };
}
