using System.Text.Json;
using System.Threading.Channels;

namespace Kiosk.Host.Web;

/// <summary>Fan-out of server-sent events to the open pages. Events carry no personal data.</summary>
public sealed class EventHub
{
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _subscribers = [];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Publish(string name, object data)
    {
        var frame = $"event: {name}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n";
        lock (_gate)
            foreach (var s in _subscribers) s.Writer.TryWrite(frame);
    }

    public ChannelReader<string> Subscribe(out Action unsubscribe)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate) _subscribers.Add(channel);
        unsubscribe = () => { lock (_gate) _subscribers.Remove(channel); channel.Writer.TryComplete(); };
        return channel.Reader;
    }
}
