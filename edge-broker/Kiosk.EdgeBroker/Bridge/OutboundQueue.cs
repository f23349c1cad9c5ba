using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Kiosk.EdgeBroker.Bridge;

/// <summary>
/// One message waiting for the uplink: the central topic, the payload, the source's retain flag, when it was queued
/// and the publisher's MQTT 5 message expiry interval in seconds (0 = the publisher set none).
/// </summary>
public sealed record QueuedMessage(long Sequence, string Topic, byte[] Payload, bool Retain, DateTimeOffset EnqueuedAt, uint ExpiryIntervalSeconds)
{
    public long Size => Encoding.UTF8.GetByteCount(Topic) + Payload.Length;

    /// <summary>What is left of the publisher's expiry interval at <paramref name="now"/> (at least 1 s), or null when
    /// the publisher set none. MQTT 5 asks a forwarding server to send the remaining interval, not the original.</summary>
    public uint? RemainingExpirySeconds(DateTimeOffset now)
    {
        if (ExpiryIntervalSeconds == 0)
        {
            return null;
        }

        double waited = Math.Max(0, (now - EnqueuedAt).TotalSeconds);
        return (uint)Math.Max(1, ExpiryIntervalSeconds - Math.Floor(waited));
    }
}

/// <summary>
/// The bridge's durable outbound queue: an append-only record file (<c>queue.log</c>) plus a small state file
/// (<c>queue.state.json</c>: the sequence number up to which records are forwarded or dropped, and the drop count).
///
/// - Append: each record is written and fsync'ed before <see cref="Enqueue"/> returns, so telemetry that reached the
///   edge broker survives a broker restart or a power cut.
/// - Bound: at most <c>maxMessages</c> records and <c>maxBytes</c> of topic + payload; beyond that the OLDEST records
///   are dropped and counted (<see cref="Dropped"/>, persisted). The newest state of a device matters most.
/// - Expiry: a record expires when the publisher's MQTT 5 message expiry interval has passed, or in any case after
///   <c>maxAge</c>. Expired records are dropped and counted (<see cref="Expired"/>, persisted) when they come up for
///   sending (<see cref="Peek"/>) and when the queue is opened. Ages come from the injected <see cref="TimeProvider"/>.
/// - Forwarding is at least once: a record is removed only after the central broker acknowledged it (PUBACK), so a
///   crash between PUBACK and <see cref="Acknowledge"/> sends it twice.
/// - Records are framed with a length and a CRC-32; a torn tail (power cut mid-write) is cut off at the next open.
/// - The file is compacted (rewritten with the live records, temp + rename) when it is mostly forwarded records, and
///   truncated when the queue runs empty.
/// Thread-safe. Live records are also held in memory (bounded by maxBytes).
/// </summary>
public sealed class OutboundQueue : IDisposable
{
    public const string LogFileName = "queue.log";
    public const string StateFileName = "queue.state.json";
    const ushort Magic = 0x4B51; // "KQ"
    const int HeaderBytes = 2 + 4; // magic, body length
    const int CompactAfterDeadRecords = 256;

    readonly string _logPath;
    readonly string _statePath;
    readonly int _maxMessages;
    readonly long _maxBytes;
    readonly TimeSpan _maxAge;
    readonly TimeProvider _clock;
    readonly Action<string>? _warn;
    readonly Lock _sync = new();
    readonly LinkedList<QueuedMessage> _live = new();
    readonly SemaphoreSlim _signal = new(0);
    FileStream _log;
    long _bytes;
    long _acknowledged;
    long _dropped;
    long _expired;
    long _nextSequence;
    int _deadRecords;

    /// <summary>Default for <c>maxAge</c>: a week-old device status is history, not state.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromDays(7);

    public OutboundQueue(string directory, int maxMessages, long maxBytes, Action<string>? warn = null,
        TimeSpan? maxAge = null, TimeProvider? clock = null)
    {
        Directory.CreateDirectory(directory);
        _logPath = Path.Combine(directory, LogFileName);
        _statePath = Path.Combine(directory, StateFileName);
        _maxMessages = maxMessages;
        _maxBytes = maxBytes;
        _maxAge = maxAge ?? DefaultMaxAge;
        _clock = clock ?? TimeProvider.System;
        _warn = warn;
        LoadState();
        _log = LoadLog(out long highestSequence);
        _nextSequence = Math.Max(_acknowledged, highestSequence) + 1;
    }

    public string DirectoryPath => Path.GetDirectoryName(_logPath)!;

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _live.Count;
            }
        }
    }

    public long Bytes
    {
        get
        {
            lock (_sync)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Messages dropped because the queue was full (oldest first), since the queue was created.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages dropped because they expired before they could be sent, since the queue was created.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Appends one message durably; drops the oldest ones first when the bound would be exceeded.</summary>
    /// <param name="expiryIntervalSeconds">The publisher's MQTT 5 message expiry interval; 0 = none (then only the
    /// queue's maximum age applies).</param>
    public void Enqueue(string topic, ReadOnlySpan<byte> payload, bool retain, uint expiryIntervalSeconds = 0)
    {
        lock (_sync)
        {
            var message = new QueuedMessage(_nextSequence, topic, payload.ToArray(), retain, _clock.GetUtcNow(), expiryIntervalSeconds);
            if (message.Size > _maxBytes)
            {
                // It could never fit; count it as dropped rather than emptying the whole queue for it. (It takes no
                // sequence number, so the forwarded watermark is untouched.)
                Interlocked.Increment(ref _dropped);
                SaveState();
                _warn?.Invoke($"bridge queue: dropped a message of {message.Size} bytes for topic={topic} (larger than the queue)");
                return;
            }

            bool dropped = false;
            while (_live.Count > 0 && (_live.Count + 1 > _maxMessages || _bytes + message.Size > _maxBytes))
            {
                RemoveHead();
                Interlocked.Increment(ref _dropped);
                dropped = true;
            }

            if (dropped)
            {
                // Persist the new head before appending, so a restart does not bring the dropped ones back.
                SaveState();
            }

            _nextSequence++;
            Append(message);
            _live.AddLast(message);
            _bytes += message.Size;
            MaybeCompact();
        }

        _signal.Release();
    }

    /// <summary>The oldest message that has not expired, or null when empty. Expired messages ahead of it are
    /// dropped and counted first, so an expired record is never sent.</summary>
    public QueuedMessage? Peek()
    {
        lock (_sync)
        {
            DateTimeOffset now = _clock.GetUtcNow();
            bool expired = false;
            while (_live.First is { } head && IsExpired(head.Value, now))
            {
                RemoveHead();
                Interlocked.Increment(ref _expired);
                expired = true;
            }

            if (expired)
            {
                SaveState();
                MaybeCompact();
            }

            return _live.First?.Value;
        }
    }

    bool IsExpired(QueuedMessage message, DateTimeOffset now)
    {
        TimeSpan age = now - message.EnqueuedAt;
        return age >= _maxAge || (message.ExpiryIntervalSeconds > 0 && age >= TimeSpan.FromSeconds(message.ExpiryIntervalSeconds));
    }

    /// <summary>Removes the oldest message once the central broker has it. Ignored if it was dropped meanwhile.</summary>
    public void Acknowledge(long sequence)
    {
        lock (_sync)
        {
            if (_live.First?.Value.Sequence != sequence)
            {
                return;
            }

            RemoveHead();
            SaveState();
            MaybeCompact();
        }
    }

    /// <summary>Waits until a message is enqueued or the timeout passes; true when one was enqueued.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        bool signalled = await _signal.WaitAsync(timeout, cancellation).ConfigureAwait(false);
        // Collapse a burst of signals into one wake-up.
        while (_signal.CurrentCount > 0 && _signal.Wait(0))
        {
        }

        return signalled;
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _log.Dispose();
        }

        _signal.Dispose();
    }

    void RemoveHead()
    {
        QueuedMessage head = _live.First!.Value;
        _live.RemoveFirst();
        _bytes -= head.Size;
        _acknowledged = head.Sequence;
        _deadRecords++;
    }

    void Append(QueuedMessage message)
    {
        byte[] record = Encode(message);
        _log.Write(record);
        _log.Flush(flushToDisk: true);
    }

    void MaybeCompact()
    {
        if (_deadRecords == 0)
        {
            return;
        }

        if (_live.Count == 0)
        {
            // Everything is forwarded: the state file already says so, the records can go.
            _log.SetLength(0);
            _log.Flush(flushToDisk: true);
            _deadRecords = 0;
            return;
        }

        if (_deadRecords < CompactAfterDeadRecords || _deadRecords < _live.Count)
        {
            return;
        }

        RewriteLog();
    }

    /// <summary>Replaces the log with the live records only (temp file, fsync, rename).</summary>
    void RewriteLog()
    {
        string temp = _logPath + ".tmp";
        using (var rewrite = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (QueuedMessage message in _live)
            {
                rewrite.Write(Encode(message));
            }

            rewrite.Flush(flushToDisk: true);
        }

        _log.Dispose();
        File.Move(temp, _logPath, overwrite: true);
        _log = OpenForAppend();
        _deadRecords = 0;
    }

    FileStream OpenForAppend()
    {
        var stream = new FileStream(_logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    FileStream LoadLog(out long highestSequence)
    {
        highestSequence = 0;
        DateTimeOffset openedAt = _clock.GetUtcNow();
        FileStream stream = OpenForAppend();
        stream.Seek(0, SeekOrigin.Begin);
        byte[] content = new byte[stream.Length];
        stream.ReadExactly(content);

        int offset = 0;
        while (offset < content.Length)
        {
            QueuedMessage? message = Decode(content.AsSpan(offset), openedAt, out int consumed);
            if (message is null)
            {
                _warn?.Invoke($"bridge queue: {content.Length - offset} unreadable bytes at the end of {LogFileName} cut off");
                break;
            }

            offset += consumed;
            highestSequence = Math.Max(highestSequence, message.Sequence);
            if (message.Sequence <= _acknowledged)
            {
                _deadRecords++;
                continue;
            }

            _live.AddLast(message);
            _bytes += message.Size;
        }

        stream.SetLength(offset);
        stream.Seek(0, SeekOrigin.End);
        // A bound lowered since the last run applies to what was kept, too.
        while (_live.Count > 0 && (_live.Count > _maxMessages || _bytes > _maxBytes))
        {
            RemoveHead();
            Interlocked.Increment(ref _dropped);
        }

        // Expired records go at start-up wherever they are in the queue (a short expiry can sit behind a long one).
        // They are not at the head, so the forwarded watermark cannot cover them: the log is rewritten without them
        // before the count is saved (a crash in between loses the count, never brings a record back).
        int expired = 0;
        for (LinkedListNode<QueuedMessage>? node = _live.First; node is not null;)
        {
            LinkedListNode<QueuedMessage>? next = node.Next;
            if (IsExpired(node.Value, openedAt))
            {
                _live.Remove(node);
                _bytes -= node.Value.Size;
                expired++;
            }

            node = next;
        }

        if (expired > 0)
        {
            _log = stream;
            RewriteLog();
            stream = _log;
            Interlocked.Add(ref _expired, expired);
            SaveState();
            _warn?.Invoke($"bridge queue: dropped {expired} expired records at start-up");
        }

        return stream;
    }

    sealed record QueueState(long Acknowledged, long Dropped, long Expired);

    static readonly JsonSerializerOptions StateJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    void LoadState()
    {
        if (!File.Exists(_statePath))
        {
            return;
        }

        try
        {
            QueueState? state = JsonSerializer.Deserialize<QueueState>(File.ReadAllBytes(_statePath), StateJson);
            _acknowledged = state?.Acknowledged ?? 0;
            _dropped = state?.Dropped ?? 0;
            _expired = state?.Expired ?? 0;
        }
        catch (JsonException)
        {
            // Unknown progress: resend everything in the log (at least once) rather than lose it.
            _warn?.Invoke($"bridge queue: {StateFileName} unreadable, resending every queued record");
        }
    }

    void SaveState()
    {
        string temp = _statePath + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(new QueueState(_acknowledged, Interlocked.Read(ref _dropped), Interlocked.Read(ref _expired)), StateJson));
        File.Move(temp, _statePath, overwrite: true);
    }

    // Record: magic (2) | body length (4) | body | CRC-32 of body (4).
    // Body: sequence (8) | flags (1: bit 0 = retain, bit 1 = timed) | if timed: enqueued at, Unix ms (8), expiry
    // interval s (4) | topic length (2) | topic UTF-8 | payload. Records written before expiry existed are not timed.
    const byte RetainFlag = 1;
    const byte TimedFlag = 2;
    const int TimingBytes = 8 + 4;

    static byte[] Encode(QueuedMessage message)
    {
        byte[] topic = Encoding.UTF8.GetBytes(message.Topic);
        int bodyLength = 8 + 1 + TimingBytes + 2 + topic.Length + message.Payload.Length;
        byte[] record = new byte[HeaderBytes + bodyLength + 4];
        Span<byte> span = record;
        BinaryPrimitives.WriteUInt16LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[2..], bodyLength);
        Span<byte> body = span.Slice(HeaderBytes, bodyLength);
        BinaryPrimitives.WriteInt64LittleEndian(body, message.Sequence);
        body[8] = (byte)(TimedFlag | (message.Retain ? RetainFlag : 0));
        BinaryPrimitives.WriteInt64LittleEndian(body[9..], message.EnqueuedAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt32LittleEndian(body[17..], message.ExpiryIntervalSeconds);
        Span<byte> rest = body[(9 + TimingBytes)..];
        BinaryPrimitives.WriteUInt16LittleEndian(rest, (ushort)topic.Length);
        topic.CopyTo(rest[2..]);
        message.Payload.CopyTo(rest[(2 + topic.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(HeaderBytes + bodyLength)..], Crc32(body));
        return record;
    }

    /// <param name="untimedEnqueuedAt">The age origin for records written before expiry existed: the queue's open.</param>
    static QueuedMessage? Decode(ReadOnlySpan<byte> data, DateTimeOffset untimedEnqueuedAt, out int consumed)
    {
        consumed = 0;
        if (data.Length < HeaderBytes || BinaryPrimitives.ReadUInt16LittleEndian(data) != Magic)
        {
            return null;
        }

        int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(data[2..]);
        if (bodyLength < 11 || bodyLength > data.Length - HeaderBytes - 4)
        {
            return null;
        }

        ReadOnlySpan<byte> body = data.Slice(HeaderBytes, bodyLength);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[(HeaderBytes + bodyLength)..]) != Crc32(body))
        {
            return null;
        }

        byte flags = body[8];
        DateTimeOffset enqueuedAt = untimedEnqueuedAt;
        uint expiryInterval = 0;
        ReadOnlySpan<byte> rest = body[9..];
        if ((flags & TimedFlag) != 0)
        {
            if (rest.Length < TimingBytes + 2)
            {
                return null;
            }

            long enqueuedMilliseconds = BinaryPrimitives.ReadInt64LittleEndian(rest);
            if (enqueuedMilliseconds < 0 || enqueuedMilliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                return null;
            }

            enqueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(enqueuedMilliseconds);
            expiryInterval = BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]);
            rest = rest[TimingBytes..];
        }

        int topicLength = BinaryPrimitives.ReadUInt16LittleEndian(rest);
        if (2 + topicLength > rest.Length)
        {
            return null;
        }

        consumed = HeaderBytes + bodyLength + 4;
        return new QueuedMessage(
            BinaryPrimitives.ReadInt64LittleEndian(body),
            Encoding.UTF8.GetString(rest.Slice(2, topicLength)),
            rest[(2 + topicLength)..].ToArray(),
            (flags & RetainFlag) != 0,
            enqueuedAt,
            expiryInterval);
    }

    static readonly uint[] CrcTable = BuildCrcTable();

    static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint index = 0; index < 256; index++)
        {
            uint value = index;
            for (int bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
            }

            table[index] = value;
        }

        return table;
    }

    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte value in data)
        {
            crc = CrcTable[(crc ^ value) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }
}
