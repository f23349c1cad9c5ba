using System.Buffers;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Kiosk.EdgeBroker.Persistence;

/// <summary>One retained message as stored in DATA/retained.json. The payload is base64 because payloads may be binary.</summary>
public sealed record StoredRetainedMessage(
    string Topic,
    string Payload,
    int QualityOfService,
    string? ContentType,
    int PayloadFormatIndicator,
    string? ResponseTopic,
    string? CorrelationData,
    List<StoredUserProperty>? UserProperties);

public sealed record StoredUserProperty(string Name, string Value);

/// <summary>
/// Keeps DATA/retained.json in step with the broker's retained messages so that, for example, a device's last
/// status survives a broker restart. MQTTnet hands over the complete list on every change, inside the publish path;
/// so the handler only swaps in the newest list and a background loop writes it after a short quiet period
/// (atomically: temp file, then rename). <see cref="FlushAsync"/> writes any pending list at shutdown.
/// </summary>
public sealed class RetainedMessageStore : IAsyncDisposable
{
    public const string FileName = "retained.json";

    static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    readonly string _path;
    readonly TimeSpan _quietPeriod;
    readonly SemaphoreSlim _changed = new(0, 1);
    readonly SemaphoreSlim _writeLock = new(1, 1);
    readonly CancellationTokenSource _stopping = new();
    readonly Task _writerLoop;
    readonly Action<Exception> _writeFailed;
    IReadOnlyList<MqttApplicationMessage>? _pending;

    public RetainedMessageStore(string dataDirectory, TimeSpan quietPeriod, Action<Exception> writeFailed)
    {
        _path = Path.Combine(dataDirectory, FileName);
        _quietPeriod = quietPeriod;
        _writeFailed = writeFailed;
        _writerLoop = Task.Run(WriteLoopAsync);
    }

    public string FilePath => _path;

    /// <summary>Number of writes done so far (tests check the debounce with it).</summary>
    public int WriteCount { get; private set; }

    public List<MqttApplicationMessage> Load()
    {
        if (!File.Exists(_path))
        {
            return [];
        }

        List<StoredRetainedMessage> stored =
            JsonSerializer.Deserialize<List<StoredRetainedMessage>>(File.ReadAllText(_path), JsonOptions) ?? [];
        return stored.Select(ToApplicationMessage).ToList();
    }

    /// <summary>Called from the publish path: cheap, never touches the disk.</summary>
    public void Schedule(IReadOnlyList<MqttApplicationMessage> allRetainedMessages)
    {
        Volatile.Write(ref _pending, allRetainedMessages);
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another change already woke the writer; it will pick up the newest list.
            }
        }
    }

    public async Task FlushAsync()
    {
        IReadOnlyList<MqttApplicationMessage>? pending = Interlocked.Exchange(ref _pending, null);
        if (pending is not null)
        {
            await WriteAsync(pending).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _writerLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await FlushAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    async Task WriteLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            await _changed.WaitAsync(_stopping.Token).ConfigureAwait(false);
            await Task.Delay(_quietPeriod, _stopping.Token).ConfigureAwait(false);
            try
            {
                await FlushAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The broker keeps running on a full or read-only disk; the next change tries again.
                _writeFailed(exception);
            }
        }
    }

    async Task WriteAsync(IReadOnlyList<MqttApplicationMessage> messages)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            List<StoredRetainedMessage> stored = messages.Select(ToStored).ToList();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            string temporary = _path + ".tmp";
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                await JsonSerializer.SerializeAsync(stream, stored, JsonOptions).ConfigureAwait(false);
                // On the kiosk the power can go at any moment: the bytes must be on disk before the rename.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, _path, overwrite: true);
            WriteCount++;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    static StoredRetainedMessage ToStored(MqttApplicationMessage message) => new(
        message.Topic,
        Convert.ToBase64String(message.Payload.ToArray()),
        (int)message.QualityOfServiceLevel,
        message.ContentType,
        (int)message.PayloadFormatIndicator,
        message.ResponseTopic,
        message.CorrelationData is { Length: > 0 } correlation ? Convert.ToBase64String(correlation) : null,
        message.UserProperties is { Count: > 0 } properties
            ? properties.Select(property => new StoredUserProperty(property.Name, property.ReadValueAsString())).ToList()
            : null);

    static MqttApplicationMessage ToApplicationMessage(StoredRetainedMessage stored)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(stored.Topic)
            .WithPayload(Convert.FromBase64String(stored.Payload))
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)stored.QualityOfService)
            .WithPayloadFormatIndicator((MqttPayloadFormatIndicator)stored.PayloadFormatIndicator)
            .WithRetainFlag();
        if (stored.ContentType is not null)
        {
            builder.WithContentType(stored.ContentType);
        }

        if (stored.ResponseTopic is not null)
        {
            builder.WithResponseTopic(stored.ResponseTopic);
        }

        if (stored.CorrelationData is not null)
        {
            builder.WithCorrelationData(Convert.FromBase64String(stored.CorrelationData));
        }

        foreach (StoredUserProperty property in stored.UserProperties ?? [])
        {
            builder.WithUserProperty(property.Name, System.Text.Encoding.UTF8.GetBytes(property.Value).AsMemory());
        }

        return builder.Build();
    }
}
