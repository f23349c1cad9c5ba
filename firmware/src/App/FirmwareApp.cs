using Kiosk.DeviceContract;
using Kiosk.Firmware.Devices.Fingerprint;
using Kiosk.Firmware.Devices.Pn532;
using Kiosk.Firmware.Devices.ReceiptPrinter;
using Kiosk.Firmware.Platform;

namespace Kiosk.Firmware.App
{
    /// <summary>
    /// The firmware application: one main loop owns the three serial links; the MQTT client's thread only queues
    /// commands. Call <see cref="Start"/> once, then <see cref="Step"/> repeatedly (tests do it by hand with a fake
    /// clock) or <see cref="Run"/>, which loops until <see cref="RequestStop"/>.
    /// Nothing thrown by a driver or a link escapes a step.
    /// </summary>
    public class FirmwareApp
    {
        private readonly FirmwareOptions _options;
        private readonly IMqttLink _mqtt;
        private readonly IClock _clock;
        private readonly ILog _log;
        private readonly Pn532Driver _reader;
        private readonly FingerprintSensor _fingerprint;
        private readonly ReceiptPrinter _printer;
        private readonly RequestQueue _requests;

        private readonly string _statusTopic;
        private readonly string _cardTopic;
        private readonly string _fingerTopic;
        private readonly string _printerTopic;
        private readonly IDevicePlatform _platform;
        private readonly SoftwareWatchdog _watchdog;
        private readonly RecentRequests _served;
        private readonly System.Random _jitter;

        private long _startedAt;
        private bool _wasConnected;
        private long _nextConnectAttempt;
        private int _failedConnects;
        private long _connections;
        private StartReason _startReason = StartReason.Unknown;
        private long _nextStatusPublish;
        private bool _stopRequested;
        private readonly object _stopSync = new object();

        private readonly PeripheralSupervisor _readerHealth;
        private readonly PeripheralSupervisor _fingerprintHealth;
        private readonly PeripheralSupervisor _printerHealth;

        private CardType _cardType = CardType.None;
        private byte _cardTarget;
        private int _cardBitRate = 106;
        private long _nextCardPoll;
        private bool _fingerPresent;
        private long _nextFingerPoll;
        /// <summary>Set when a request is queued, so the main loop serves it at once instead of finishing its sleep.</summary>
        private readonly System.Threading.AutoResetEvent _wake = new System.Threading.AutoResetEvent(false);
        private long _lastRequestServed = -1000000000L;
        private long _burstStart;
        private PrinterStatus _publishedPrinter;
        private long _nextPrinterPoll;

        public FirmwareApp(FirmwareOptions options, IMqttLink mqtt, ISerialLink readerLink, ISerialLink fingerprintLink, ISerialLink printerLink, IClock clock, ILog log, IDevicePlatform platform)
        {
            if (!Topics.IsValidDeviceId(options.DeviceId)) throw new System.ArgumentException("device id: letters, digits and '-' only", "options");
            _options = options;
            _mqtt = mqtt;
            _clock = clock;
            _log = log;
            _reader = new Pn532Driver(readerLink, clock);
            _fingerprint = new FingerprintSensor(fingerprintLink, clock);
            _printer = new ReceiptPrinter(printerLink);
            _requests = new RequestQueue(options.MaxQueuedRequests);
            _readerHealth = new PeripheralSupervisor(options.FailuresBeforeError, options.ReprobeIntervalMilliseconds);
            _fingerprintHealth = new PeripheralSupervisor(options.FailuresBeforeError, options.ReprobeIntervalMilliseconds);
            _printerHealth = new PeripheralSupervisor(options.FailuresBeforeError, options.ReprobeIntervalMilliseconds);
            _platform = platform;
            _watchdog = new SoftwareWatchdog(clock, platform, log, options.WatchdogTimeoutMilliseconds);
            _served = new RecentRequests(options.RememberedRequests);
            _jitter = new System.Random();

            string device = options.DeviceId;
            _statusTopic = Topics.Status(device);
            _cardTopic = Topics.CardEvent(device);
            _fingerTopic = Topics.FingerEvent(device);
            _printerTopic = Topics.PrinterState(device);
            _mqtt.MessageReceived += OnMessageReceived;
        }

        public PeripheralHealth ReaderHealth { get { return _readerHealth.Health; } }
        public PeripheralHealth FingerprintHealth { get { return _fingerprintHealth.Health; } }
        public PeripheralHealth PrinterHealth { get { return _printerHealth.Health; } }
        public bool CardPresent { get { return _cardType != CardType.None; } }
        public bool FingerPresent { get { return _fingerPresent; } }
        public int QueuedRequests { get { return _requests.Count; } }
        public StartReason StartReason { get { return _startReason; } }
        /// <summary>The supervisor that reboots the device when the main loop stalls; <see cref="Run"/> starts its thread.</summary>
        public SoftwareWatchdog Watchdog { get { return _watchdog; } }
        /// <summary>Milliseconds until the next connection attempt is allowed (0 when connected or due).</summary>
        public long ReconnectDelayMilliseconds { get { long d = _nextConnectAttempt - _clock.NowMilliseconds; return d > 0 ? d : 0; } }

        /// <summary>Probes the peripherals (an absent one is reported "absent", not fatal) and connects to the broker.</summary>
        public void Start()
        {
            _startedAt = _clock.NowMilliseconds;
            _startReason = SoftwareWatchdog.DetermineStartReason(_platform);
            _log.Info("started: " + Payloads.StartReasonName(_startReason));
            bool reader = ProbeReader();
            bool fingerprint = ProbeFingerprint();
            long now = _clock.NowMilliseconds;
            _readerHealth.StartedUp(reader, now);
            _fingerprintHealth.StartedUp(fingerprint, now);
            _log.Info("reader " + Payloads.HealthName(_readerHealth.Health) + ", fingerprint " + Payloads.HealthName(_fingerprintHealth.Health));
            _printerHealth.StartedUp(false, now);
            PollPrinter(true);
            _log.Info("printer " + Payloads.HealthName(_printerHealth.Health));
            _nextConnectAttempt = now;
            Guard(0);
        }

        public void RequestStop() { lock (_stopSync) { _stopRequested = true; } }

        private bool StopRequested { get { lock (_stopSync) { return _stopRequested; } } }

        /// <summary>Start, then steps until RequestStop; disconnects cleanly at the end.</summary>
        public void Run()
        {
            Start();
            new System.Threading.Thread(new System.Threading.ThreadStart(_watchdog.Run)).Start();
            while (!StopRequested)
            {
                Step();
                if (_requests.Count == 0) _wake.WaitOne(_options.LoopSleepMilliseconds, false);
            }
            _watchdog.Stop();
            try
            {
                if (_mqtt.IsConnected) _mqtt.Disconnect();
            }
            catch (System.Exception e)
            {
                _log.Info("disconnect failed: " + e.GetType().Name);
            }
        }

        /// <summary>One pass of the main loop: broker connection, queued requests, then whatever polling is due.</summary>
        public void Step()
        {
            _watchdog.Feed();
            Guard(0);
            Guard(1);
            // During a card read (APDUs back to back) the slow polls wait: a fingerprint capture takes 100 ms or more.
            if (PollsDeferred(_clock.NowMilliseconds)) return;
            Guard(2);
            Guard(3);
            Guard(4);
        }

        /// <summary>
        /// True while requests keep coming (the last one less than RequestBurstMilliseconds ago); after
        /// MaxPollDeferralMilliseconds of that the polls run once and the deferral starts again, so nothing starves.
        /// </summary>
        private bool PollsDeferred(long now)
        {
            if (now - _lastRequestServed >= _options.RequestBurstMilliseconds) return false;
            if (now - _burstStart < _options.MaxPollDeferralMilliseconds) return true;
            _burstStart = now;
            return false;
        }

        /// <summary>Runs one part of a step so that an exception in one part neither stops the loop nor starves the others.</summary>
        private void Guard(int part)
        {
            try
            {
                long now = _clock.NowMilliseconds;
                switch (part)
                {
                    case 0: EnsureConnected(now); break;
                    case 1: ServeRequests(); break;
                    case 2: PollCard(now); break;
                    case 3: PollFinger(now); break;
                    default:
                        if (now >= _nextPrinterPoll) PollPrinter(false);
                        break;
                }
            }
            catch (System.Exception e)
            {
                // The type only: messages of lower layers might quote data.
                _log.Info("step part " + part.ToString() + " failed: " + e.GetType().Name);
            }
        }

        // ---- broker ----

        private void EnsureConnected(long now)
        {
            if (_mqtt.IsConnected)
            {
                _wasConnected = true;
                // Uptime, memory and signal change: the retained status is refreshed now and then.
                if (now >= _nextStatusPublish) PublishStatus();
                return;
            }
            if (_wasConnected)
            {
                _wasConnected = false;
                _log.Info("broker connection lost");
            }
            if (now < _nextConnectAttempt) return;
            if (!_mqtt.Connect(_statusTopic, Payloads.ToBytes(DeviceStatusMessage.OfflineJson()), Topics.StatusSpec.Retained))
            {
                int delay = NextReconnectDelay();
                _nextConnectAttempt = now + delay;
                _log.Info("broker connection failed; retrying in " + delay.ToString() + " ms");
                return;
            }
            _failedConnects = 0;
            _connections++;
            _wasConnected = true;
            _log.Info("broker connected as " + _options.DeviceId);
            _mqtt.Subscribe(Topics.CommandsFilter(_options.DeviceId), Topics.ApduCommandSpec.Qos);
            PublishStatus();
            if (_publishedPrinter != null) Publish(_printerTopic, PrinterStateJson(_publishedPrinter), true);
            // Events sent while we were away are lost: tell the host what is on the kiosk now.
            if (_cardType != CardType.None) PublishCardPlaced(_cardType);
            if (_fingerPresent) Publish(_fingerTopic, FingerEventMessage.Json(true), false);
        }

        /// <summary>
        /// Exponential backoff with equal jitter: the n-th failure in a row waits between half and all of
        /// min(max, base·2^(n-1)), so a kiosk's devices that lost the broker together do not come back in step.
        /// </summary>
        private int NextReconnectDelay()
        {
            if (_failedConnects < 30) _failedConnects++;
            long ceiling = _options.ReconnectIntervalMilliseconds;
            for (int i = 1; i < _failedConnects && ceiling < _options.MaxReconnectIntervalMilliseconds; i++) ceiling *= 2;
            if (ceiling > _options.MaxReconnectIntervalMilliseconds) ceiling = _options.MaxReconnectIntervalMilliseconds;
            int half = (int)(ceiling / 2);
            return half + _jitter.Next(half + 1);
        }

        private void PublishStatus()
        {
            long now = _clock.NowMilliseconds;
            _nextStatusPublish = now + _options.StatusIntervalMilliseconds;
            DeviceStatusMessage status = new DeviceStatusMessage();
            status.Online = true;
            status.Firmware = _options.FirmwareVersion;
            status.Reader = _readerHealth.Health;
            status.Fingerprint = _fingerprintHealth.Health;
            status.Printer = _printerHealth.Health;
            status.UptimeSeconds = (now - _startedAt) / 1000;
            status.StartReason = _startReason;
            status.FreeMemoryBytes = _platform.FreeMemoryBytes();
            status.WifiRssiDbm = _platform.WifiRssiDbm();
            status.Connections = _connections;
            Publish(_statusTopic, status.ToJson(), Topics.StatusSpec.Retained);
        }

        /// <summary>Status, events and printer state are QoS 1 (docs/mqtt.md); retain as the topic's row says.</summary>
        private void Publish(string topic, string json, bool retain)
        {
            if (!_mqtt.IsConnected) return;
            _mqtt.Publish(topic, Payloads.ToBytes(json), 1, retain);
        }

        // ---- requests ----

        /// <summary>The MQTT thread's side: check the envelope, queue, return. Serial ports are not touched here.</summary>
        private void OnMessageReceived(string topic, byte[] payload)
        {
            try
            {
                ParsedTopic parsed = Topics.Parse(topic);
                if (parsed == null || parsed.Device != _options.DeviceId
                    || (parsed.Kind != TopicKind.ApduCommand && parsed.Kind != TopicKind.PrintCommand))
                {
                    _log.Info("ignored message on an unknown topic");
                    return;
                }
                RequestKind kind = parsed.Kind == TopicKind.ApduCommand ? RequestKind.Apdu : RequestKind.Print;
                int maxLength = kind == RequestKind.Apdu ? Pn532Driver.MaxCommandLength : ReceiptPrinter.MaxJobLength;
                PendingRequest request = new PendingRequest();
                request.Kind = kind;
                request.ReplyTopic = Topics.Reply(_options.DeviceId, parsed.Requester, parsed.RequestId);
                // "requester/id": a repeated request with a key already served is dropped.
                if (!_served.Add(parsed.Requester + "/" + parsed.RequestId))
                {
                    _log.Info("ignored a repeated request");
                    return;
                }
                int length = payload == null ? 0 : payload.Length;
                int minLength = kind == RequestKind.Apdu ? 4 : 1;
                if (length < minLength || length > maxLength) request.Malformed = true;
                else request.Payload = payload;
                if (!_requests.Enqueue(request)) _log.Info("request dropped: queue full");
                else _wake.Set();
            }
            catch (System.Exception e)
            {
                _log.Info("request not queued: " + e.GetType().Name);
            }
        }

        private void ServeRequests()
        {
            PendingRequest request;
            while ((request = _requests.Dequeue()) != null)
            {
                ReplyResult result;
                byte[] body = null;
                if (request.Overflow) result = ReplyResult.Timeout;
                else if (request.Malformed) result = ReplyResult.BadRequest;
                else if (request.Kind == RequestKind.Apdu) result = ExchangeApdu(request.Payload, out body);
                else result = PrintJob(request.Payload);

                byte[] reply = Reply.Build(result, body);
                bool sent = _mqtt.IsConnected && _mqtt.Publish(request.ReplyTopic, reply, Topics.ReplySpec.Qos, Topics.ReplySpec.Retained);
                _log.Info((request.Kind == RequestKind.Apdu ? "apdu" : "print") + " request: " + Reply.NameOf(result) + (sent ? "" : " (reply not sent: broker offline)"));
                long now = _clock.NowMilliseconds;
                if (now - _lastRequestServed >= _options.RequestBurstMilliseconds) _burstStart = now;
                _lastRequestServed = now;
            }
        }

        private ReplyResult ExchangeApdu(byte[] apdu, out byte[] response)
        {
            response = null;
            if (!_readerHealth.IsOk) return ReplyResult.Timeout;
            if (_cardType == CardType.None) return ReplyResult.NoCard;
            Pn532Result result = _reader.Exchange(_cardTarget, apdu);
            switch (result.Status)
            {
                case Pn532Status.Ok:
                    ReaderSucceeded();
                    // The card answered: that is a presence test passed.
                    _nextCardPoll = _clock.NowMilliseconds + _options.CardPresenceIntervalMilliseconds;
                    response = result.Data;
                    return ReplyResult.Ok;
                case Pn532Status.NoCard:
                    ReaderSucceeded();
                    CardGone();
                    return ReplyResult.NoCard;
                case Pn532Status.Timeout:
                    ReaderFailed("exchange timed out");
                    return ReplyResult.Timeout;
                default:
                    _log.Info("exchange failed, PN532 code " + result.ErrorCode.ToString());
                    // The card may be half-way through a chain; the next presence test decides whether it is still there.
                    _nextCardPoll = _clock.NowMilliseconds;
                    return ReplyResult.DeviceError;
            }
        }

        private ReplyResult PrintJob(byte[] job)
        {
            PrinterStatus before;
            PrintResult result = _printer.Print(job, out before);
            PrinterSeen(before);
            // Always tell the host the printer's state after a job (docs/mqtt.md, cmd/print).
            if (before.IsOnline) PublishPrinterState(before);
            switch (result)
            {
                case PrintResult.Ok: return ReplyResult.Ok;
                case PrintResult.PaperOut: return ReplyResult.PaperOut;
                case PrintResult.CoverOpen: return ReplyResult.CoverOpen;
                case PrintResult.Timeout: return ReplyResult.Timeout;
                default: return ReplyResult.DeviceError;
            }
        }

        // ---- card reader ----

        private bool ProbeReader()
        {
            if (!_reader.WakeUp().IsOk) return false;
            Pn532FirmwareVersion version;
            if (!_reader.GetFirmwareVersion(out version).IsOk) return false;
            if (!_reader.ConfigureMaxRetries().IsOk) return false;
            _log.Info("PN532 firmware " + version.Version.ToString() + "." + version.Revision.ToString());
            return true;
        }

        private void PollCard(long now)
        {
            if (!_readerHealth.IsOk)
            {
                if (!_readerHealth.ProbeDue(now) || !ProbeReader()) return;
                _readerHealth.Succeeded();
                _log.Info("reader ok");
                PublishStatus();
                return;
            }
            if (now < _nextCardPoll) return;

            if (_cardType == CardType.None)
            {
                _nextCardPoll = now + _options.CardSearchIntervalMilliseconds;
                if (SearchCard(CardType.TypeA)) return;
                if (_readerHealth.IsOk) SearchCard(CardType.TypeB);
                return;
            }

            _nextCardPoll = now + _options.CardPresenceIntervalMilliseconds;
            Pn532Result presence = _reader.CheckCardPresence();
            if (presence.Status == Pn532Status.Ok) ReaderSucceeded();
            else if (presence.Status == Pn532Status.NoCard)
            {
                ReaderSucceeded();
                CardGone();
            }
            else ReaderFailed("presence test failed");
        }

        /// <summary>True when a card of this type was found and announced.</summary>
        private bool SearchCard(CardType type)
        {
            Pn532Target target;
            Pn532Result result = _reader.ListPassiveTarget(type, out target);
            if (result.Status == Pn532Status.Ok)
            {
                ReaderSucceeded();
                _cardType = type;
                _cardTarget = target.TargetNumber;
                _cardBitRate = NegotiateBitRate(target);
                _log.Info("card placed (" + ProtocolName(type) + ", " + _cardBitRate.ToString() + " kbit/s, FSC " + target.MaxFrameSize.ToString() + ", FWI " + target.FrameWaitingInteger.ToString() + ")");
                PublishCardPlaced(type);
                return true;
            }
            if (result.Status == Pn532Status.NoCard) ReaderSucceeded();
            else ReaderFailed("card search failed");
            return false;
        }

        /// <summary>
        /// Asks for the fastest bit rate the card and the reader share (InPSL); a refusal keeps 106 kbit/s, which every
        /// ISO 14443 card speaks, so the card is still announced.
        /// </summary>
        private int NegotiateBitRate(Pn532Target target)
        {
            int wanted = Pn532Commands.ChooseBitRate(target, _options.MaxBitRateKbps);
            if (wanted <= 106) return 106;
            Pn532Result result = _reader.SetBitRate(target, wanted);
            if (result.IsOk) return target.BitRateKbps;
            _log.Info("bit rate " + wanted.ToString() + " kbit/s refused, staying at 106");
            return 106;
        }

        private void PublishCardPlaced(CardType type)
        {
            Publish(_cardTopic, CardEventMessage.PlacedJson(ProtocolName(type), _cardBitRate), false);
        }

        private static string ProtocolName(CardType type)
        {
            return type == CardType.TypeB ? Payloads.ProtocolTypeB : Payloads.ProtocolTypeA;
        }

        private void CardGone()
        {
            if (_cardType == CardType.None) return;
            _cardType = CardType.None;
            if (_readerHealth.IsOk) _reader.Release(_cardTarget);
            _log.Info("card removed");
            Publish(_cardTopic, CardEventMessage.RemovedJson(), false);
        }

        private void ReaderSucceeded() { _readerHealth.Succeeded(); }

        private void ReaderFailed(string what)
        {
            bool turnedToError = _readerHealth.Failed(_clock.NowMilliseconds);
            _log.Info(what + " (" + _readerHealth.FailuresInARow.ToString() + " in a row)");
            if (!turnedToError) return;
            _log.Info("reader error");
            // We can no longer tell whether the card is there; the host must not keep a session on it.
            CardGone();
            PublishStatus();
        }

        // ---- fingerprint ----

        private bool ProbeFingerprint()
        {
            FingerprintSystemParameters parameters;
            FingerprintResult result = _fingerprint.ReadSystemParameters(out parameters);
            return result.IsOk;
        }

        /// <summary>
        /// The fingerprint module without blocking the main loop: a command is begun, and later steps collect its ack,
        /// so an image capture (a tenth of a second or more) or a silent module's timeout never delays an APDU.
        /// </summary>
        private void PollFinger(long now)
        {
            if (_fingerprint.IsBusy)
            {
                FingerprintResult result = _fingerprint.Poll(0);
                if (result == null) return;
                if (_fingerprintHealth.IsOk) FingerCaptured(result, now);
                else FingerprintProbed(result);
                return;
            }
            if (!_fingerprintHealth.IsOk)
            {
                if (!_fingerprintHealth.ProbeDue(now)) return;
                _fingerprint.Begin(FingerprintInstruction.ReadSysPara, null, _fingerprint.ResponseTimeoutMilliseconds);
                return;
            }
            if (now < _nextFingerPoll) return;
            _nextFingerPoll = now + _options.FingerPollIntervalMilliseconds;
            _fingerprint.Begin(FingerprintInstruction.GenImg, null, _fingerprint.ResponseTimeoutMilliseconds);
        }

        private void FingerprintProbed(FingerprintResult result)
        {
            if (!result.IsOk) return;
            _fingerprintHealth.Succeeded();
            _log.Info("fingerprint ok");
            PublishStatus();
        }

        private void FingerCaptured(FingerprintResult result, long now)
        {
            if (result.Status != FingerprintStatus.Answered)
            {
                if (!_fingerprintHealth.Failed(now)) return;
                _log.Info("fingerprint error");
                SetFinger(false);
                PublishStatus();
                return;
            }
            _fingerprintHealth.Succeeded();
            if (result.Confirmation == FingerprintConfirmation.Ok) SetFinger(true);
            else if (result.Confirmation == FingerprintConfirmation.NoFinger) SetFinger(false);
            // Other codes (image fail, messy image) say nothing reliable about the finger: keep the last state.
        }

        private void SetFinger(bool present)
        {
            if (present == _fingerPresent) return;
            _fingerPresent = present;
            _log.Info(present ? "finger placed" : "finger removed");
            Publish(_fingerTopic, FingerEventMessage.Json(present), false);
        }

        // ---- printer ----

        private void PollPrinter(bool startUp)
        {
            _nextPrinterPoll = _clock.NowMilliseconds + _options.PrinterPollIntervalMilliseconds;
            PrinterStatus status = _printer.ReadStatus();
            PrinterSeen(status);
            if (startUp && !status.IsOnline) return;
            if (!status.SameAs(_publishedPrinter)) PublishPrinterState(status);
        }

        /// <summary>Updates the printer's health from a status read (polling or before a job).</summary>
        private void PrinterSeen(PrinterStatus status)
        {
            if (status.IsOnline)
            {
                if (_printerHealth.Succeeded()) PublishStatus();
                return;
            }
            if (_printerHealth.Failed(_clock.NowMilliseconds))
            {
                _log.Info("printer error");
                PublishStatus();
            }
        }

        private void PublishPrinterState(PrinterStatus status)
        {
            // Offline: keep the last known paper and cover, they are still the best guess.
            PrinterStatus shown = status;
            if (!status.IsOnline && _publishedPrinter != null)
            {
                shown = new PrinterStatus();
                shown.Status = status.Status;
                shown.Paper = _publishedPrinter.Paper;
                shown.CoverOpen = _publishedPrinter.CoverOpen;
            }
            // Remembered even while the broker is away: EnsureConnected publishes it on (re)connection.
            _publishedPrinter = shown;
            string json = PrinterStateJson(shown);
            Publish(_printerTopic, json, Topics.PrinterStateSpec.Retained);
            _log.Info("printer state " + json);
        }

        private static string PrinterStateJson(PrinterStatus status)
        {
            PrinterStateMessage message = new PrinterStateMessage();
            message.Paper = status.Paper;
            message.CoverOpen = status.CoverOpen;
            message.Online = status.IsOnline;
            return message.ToJson();
        }
    }
}
