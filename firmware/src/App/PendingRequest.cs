namespace Kiosk.Firmware.App
{
    public enum RequestKind
    {
        Apdu = 0,
        Print = 1,
    }

    /// <summary>A command received on the MQTT thread, waiting for the main loop.</summary>
    public class PendingRequest
    {
        public RequestKind Kind;
        /// <summary>Null when the payload was refused on arrival (too large); the main loop answers BadRequest.</summary>
        public byte[] Payload;
        public bool Malformed;
        /// <summary>Set when the queue was full: the main loop answers Timeout without touching the peripheral.</summary>
        public bool Overflow;
        /// <summary>Where the one reply goes: kiosk/v1/{device}/reply/{requester}/{id}.</summary>
        public string ReplyTopic;
    }

    /// <summary>
    /// A bounded FIFO between the MQTT client's thread and the main loop (ArrayList and lock: nanoFramework has
    /// no Queue in mscorlib).
    /// </summary>
    public class RequestQueue
    {
        private readonly System.Collections.ArrayList _items = new System.Collections.ArrayList();
        private readonly object _sync = new object();
        private readonly int _capacity;

        public RequestQueue(int capacity)
        {
            _capacity = capacity;
        }

        public int Count
        {
            get { lock (_sync) { return _items.Count; } }
        }

        /// <summary>
        /// Adds a request. Beyond capacity the request is still kept, without its payload and marked Overflow, so it
        /// gets its one reply; beyond twice the capacity it is dropped (returns false).
        /// </summary>
        public bool Enqueue(PendingRequest request)
        {
            lock (_sync)
            {
                if (_items.Count >= 2 * _capacity) return false;
                if (_items.Count >= _capacity)
                {
                    request.Overflow = true;
                    request.Payload = null;
                }
                _items.Add(request);
                return true;
            }
        }

        /// <summary>The oldest request, or null.</summary>
        public PendingRequest Dequeue()
        {
            lock (_sync)
            {
                if (_items.Count == 0) return null;
                PendingRequest request = (PendingRequest)_items[0];
                _items.RemoveAt(0);
                return request;
            }
        }
    }

    /// <summary>
    /// The last few request keys, oldest forgotten first. A request repeated with the same key (a duplicate delivery, a
    /// host that retried wrongly) is dropped: sending an APDU twice would break the card's secure messaging. The host
    /// uses a new id for every attempt.
    /// </summary>
    public class RecentRequests
    {
        private readonly string[] _keys;
        private int _next;

        public RecentRequests(int capacity)
        {
            _keys = new string[capacity < 1 ? 1 : capacity];
        }

        /// <summary>False when the key is already remembered; otherwise remembers it and returns true.</summary>
        public bool Add(string key)
        {
            lock (_keys)
            {
                for (int i = 0; i < _keys.Length; i++)
                {
                    if (_keys[i] == key) return false;
                }
                _keys[_next] = key;
                _next = (_next + 1) % _keys.Length;
                return true;
            }
        }
    }
}
