using System.Security.Cryptography;
using LiteDB;

namespace Kiosk.Host.Store;

/// <summary>Outbox counts for <c>kioskctl sync status</c> (no personal data).</summary>
public sealed record OutboxSummary(int Pending, int Leased, int DeadLetter, DateTime? OldestPendingAt);

/// <summary>One portal answer to commit: the outbox entry goes, the dossier gets its code.</summary>
public sealed record Delivery(Guid OutboxId, Guid DossierId, string Code, int Status, bool? FaceImageAtCounter = null);

/// <summary>
/// The kiosk's encrypted LiteDB store at <c>DATA/kiosk.db</c> (password from <c>DATA/store.key</c>). A dossier and its
/// outbox entry are written in one transaction; so are "delivered" and the removal of the outbox entry; so is each
/// lease claim. One process at a time: <c>DATA/kiosk.lock</c> is held exclusively while the store is open, so a second
/// host on the same folder fails at start-up instead of corrupting the file.
/// </summary>
public sealed class KioskStore : IDisposable
{
    public const string FileName = "kiosk.db";
    public const string LockFileName = "kiosk.lock";
    /// <summary>Schema version kept in LiteDB's user_version; <see cref="Migrate"/> brings older files up to it.</summary>
    public const int SchemaVersion = 2;
    public const string RotationFileName = "kiosk-rotate.db";
    /// <summary>The old store file during a key rotation, between being set aside and being shredded.</summary>
    public const string RotationOldFileName = "kiosk-rotate-old.db";
    /// <summary>The compacted copy while <see cref="Compact()"/> runs, and the old file between the swap and its shredding.</summary>
    public const string CompactionFileName = "kiosk-compact.db";
    public const string CompactionOldFileName = "kiosk-compact-old.db";
    private LiteDatabase _db;
    private string _key = "";
    private ILiteCollection<Dossier> _dossiers;
    private ILiteCollection<OutboxEntry> _outbox;
    private readonly FileStream _lock;
    private readonly Lock _gate = new();
    private bool _closed;

    public KioskStore(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        Directory.CreateDirectory(dataDirectory);
        try
        {
            _lock = new FileStream(System.IO.Path.Combine(dataDirectory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Another process uses the kiosk store in {dataDirectory}.", e);
        }
        Path = System.IO.Path.Combine(dataDirectory, FileName);
        RecoverCompaction();
        RecoverRotationFiles();
        _db = OpenWithKnownKey();
        (_dossiers, _outbox) = Collections(_db);
        Migrate();
        // We hold the folder lock, so no other process is alive: leases left by a killed process are dead now.
        ReleaseAllLeases();
    }

    private static (ILiteCollection<Dossier>, ILiteCollection<OutboxEntry>) Collections(LiteDatabase db)
    {
        var dossiers = db.GetCollection<Dossier>("dossiers");
        var outbox = db.GetCollection<OutboxEntry>("outbox");
        outbox.EnsureIndex(o => o.NextAttemptAt);
        // For the counts of /api/status and kioskctl sync status, read from indexes rather than every entry. Not on
        // outbox.DeadLetteredAt: LiteDB would pick it for the claim's "DeadLetteredAt == null" (every live entry) instead
        // of walking NextAttemptAt; dead letters are counted by their dossiers' state.
        outbox.EnsureIndex(o => o.CreatedAt);
        outbox.EnsureIndex(o => o.LeaseExpiresAt);
        dossiers.EnsureIndex(d => d.PortalCode);
        dossiers.EnsureIndex(d => d.State);
        return (dossiers, outbox);
    }

    private static LiteDatabase Open(string path, string key) =>
        new(new ConnectionString { Filename = path, Password = key, Connection = ConnectionType.Direct }, new BsonMapper());

    /// <summary>
    /// Opens the store with <c>store.key</c>, or, when a key rotation was cut off after the new file was swapped in,
    /// with <c>store.key.new</c>, and finishes or undoes that rotation (see <see cref="RotateKey"/>).
    /// </summary>
    private LiteDatabase OpenWithKnownKey()
    {
        var key = StoreKey.LoadOrCreate(DataDirectory);
        var newKeyPath = System.IO.Path.Combine(DataDirectory, StoreKey.NewFileName);
        var rotationPath = System.IO.Path.Combine(DataDirectory, RotationFileName);
        if (!File.Exists(newKeyPath))
        {
            DeleteRotationFiles(rotationPath);
            _key = key;
            return Open(Path, key);
        }
        try
        {
            var db = Open(Path, key);
            // The swap never happened: the old key still opens the store. Drop the half-made rotation.
            DeleteRotationFiles(rotationPath);
            Shred(newKeyPath);
            _key = key;
            return db;
        }
        catch (LiteException)
        {
            // The new file is in place: finish the rotation by making the new key the key.
            var newKey = File.ReadAllText(newKeyPath).Trim();
            var db = Open(Path, newKey);
            SwapKeyFiles();
            _key = newKey;
            return db;
        }
    }

    /// <summary>
    /// Puts <c>store.key.new</c> in the place of <c>store.key</c> without leaving the old key readable on disk: the old
    /// key file is renamed to <c>store.key.old</c>, the new one to <c>store.key</c> (both atomic), and the old one is
    /// overwritten with random bytes and deleted. <see cref="RecoverRotationFiles"/> finishes it after a crash.
    /// </summary>
    private void SwapKeyFiles(Action<RotationStep>? crash = null)
    {
        var keyPath = System.IO.Path.Combine(DataDirectory, StoreKey.FileName);
        var oldKeyPath = System.IO.Path.Combine(DataDirectory, StoreKey.OldFileName);
        File.Move(keyPath, oldKeyPath, overwrite: true);
        crash?.Invoke(RotationStep.OldKeySetAside);
        File.Move(System.IO.Path.Combine(DataDirectory, StoreKey.NewFileName), keyPath);
        crash?.Invoke(RotationStep.KeySwapped);
        Shred(oldKeyPath);
    }

    /// <summary>
    /// Before the store is opened, tidies what a key rotation cut off between two renames left: with no <c>kiosk.db</c>
    /// but the old file set aside, the copy was not swapped in yet, so the old file goes back (the rotation is then
    /// undone by <see cref="OpenWithKnownKey"/>); with no <c>store.key</c> but the old key set aside, the new store
    /// file is in place already, so the new key becomes the key. Then a leftover old store file and old key are
    /// shredded (overwritten with random bytes, deleted).
    /// </summary>
    private void RecoverRotationFiles()
    {
        var oldStorePath = System.IO.Path.Combine(DataDirectory, RotationOldFileName);
        var keyPath = System.IO.Path.Combine(DataDirectory, StoreKey.FileName);
        var oldKeyPath = System.IO.Path.Combine(DataDirectory, StoreKey.OldFileName);
        var newKeyPath = System.IO.Path.Combine(DataDirectory, StoreKey.NewFileName);
        if (!File.Exists(Path) && File.Exists(oldStorePath)) File.Move(oldStorePath, Path);
        if (!File.Exists(keyPath) && File.Exists(oldKeyPath) && File.Exists(newKeyPath)) File.Move(newKeyPath, keyPath);
        if (File.Exists(oldStorePath)) Shred(oldStorePath);
        if (File.Exists(oldKeyPath)) Shred(oldKeyPath);
    }

    private static void DeleteRotationFiles(string rotationPath)
    {
        File.Delete(rotationPath);
        File.Delete(System.IO.Path.ChangeExtension(rotationPath, null) + "-log.db");
    }

    /// <summary>The steps of <see cref="RotateKey"/>, for tests that cut it off after one of them.</summary>
    public enum RotationStep { NewKeyWritten, CopyWritten, OldClosed, OldSetAside, FileSwapped, OldStoreShredded, OldKeySetAside, KeySwapped }

    /// <summary>
    /// Key rotation: re-encrypts the store with a new random key, crash-safe. 1. the new key goes to
    /// <c>store.key.new</c> (0600); 2. every document is copied into <c>kiosk-rotate.db</c> encrypted with it;
    /// 3. the store is closed (its log merged); 4. <c>kiosk.db</c> is set aside as <c>kiosk-rotate-old.db</c> and
    /// <c>kiosk-rotate.db</c> renamed to <c>kiosk.db</c>; 5. the old store file is overwritten with random bytes,
    /// flushed and deleted (a rename alone would leave its bytes on disk); 6. <c>store.key</c> is set aside as
    /// <c>store.key.old</c>, <c>store.key.new</c> renamed to <c>store.key</c>, and the old key shredded the same way
    /// (<see cref="SwapKeyFiles"/>); 7. reopened. Cut off
    /// anywhere, the next start finishes or undoes the rotation (<see cref="RecoverRotationFiles"/>,
    /// <see cref="OpenWithKnownKey"/>). Every other store call waits meanwhile. Returns how many dossiers and outbox
    /// entries were copied.
    /// </summary>
    public (int Dossiers, int Outbox) RotateKey() => RotateKey(null);

    internal (int Dossiers, int Outbox) RotateKey(RotationStep? crashAfter)
    {
        lock (_gate)
        {
            Check();
            var newKeyPath = System.IO.Path.Combine(DataDirectory, StoreKey.NewFileName);
            var rotationPath = System.IO.Path.Combine(DataDirectory, RotationFileName);
            DeleteRotationFiles(rotationPath);
            var newKey = StoreKey.WriteNew(newKeyPath);
            Crash(RotationStep.NewKeyWritten);

            var (dossiers, outbox) = CopyInto(rotationPath, newKey);
            Crash(RotationStep.CopyWritten);

            _db.Dispose();
            Crash(RotationStep.OldClosed);
            var oldStorePath = System.IO.Path.Combine(DataDirectory, RotationOldFileName);
            File.Move(Path, oldStorePath, overwrite: true);
            Crash(RotationStep.OldSetAside);
            File.Move(rotationPath, Path);
            Crash(RotationStep.FileSwapped);
            Shred(oldStorePath);
            Crash(RotationStep.OldStoreShredded);
            SwapKeyFiles(Crash);

            _db = Open(Path, newKey);
            _key = newKey;
            (_dossiers, _outbox) = Collections(_db);
            return (dossiers, outbox);
        }

        void Crash(RotationStep step)
        {
            if (crashAfter != step) return;
            // As a power cut leaves it: nothing more happens; the process lets go of the folder lock.
            if (step < RotationStep.OldClosed) _db.Dispose();
            _closed = true;
            _lock.Dispose();
            throw new IOException($"simulated crash after {step}");
        }
    }

    /// <summary>
    /// Copies every document into a new store file at <paramref name="path"/> encrypted with <paramref name="key"/>, in
    /// one transaction, with the schema version and the indexes; the copy is checkpointed (no log file left) and flushed
    /// to disk. Only live documents are copied: the new file holds none of the freed pages of the old one.
    /// </summary>
    private (int Dossiers, int Outbox) CopyInto(string path, string key)
    {
        int dossiers, outbox;
        using (var copy = Open(path, key))
        {
            copy.BeginTrans();
            dossiers = copy.GetCollection("dossiers").InsertBulk(_db.GetCollection("dossiers").FindAll());
            outbox = copy.GetCollection("outbox").InsertBulk(_db.GetCollection("outbox").FindAll());
            copy.Commit();
            copy.UserVersion = _db.UserVersion;
            Collections(copy);
            copy.Checkpoint();
        }
        using (var written = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            written.Flush(flushToDisk: true);
        return (dossiers, outbox);
    }

    /// <summary>The steps of <see cref="Compact()"/>, for tests that cut it off after one of them.</summary>
    public enum CompactionStep { CopyWritten, OldClosed, OldSetAside, FileSwapped }

    /// <summary>
    /// Rebuilds the store file without its freed pages, with the same key: after retention erased personal data, the
    /// pages that held it stay in the file (encrypted, but readable with the key) until the file is rebuilt. LiteDB's
    /// own <c>Rebuild</c> is not used: it leaves the old file beside the new one as <c>kiosk-backup.db</c>, and a crash
    /// between its two renames leaves no <c>kiosk.db</c> at all. Instead, crash-safe: 1. every document is copied into
    /// <c>kiosk-compact.db</c> (same key); 2. the store is closed (its log merged); 3. <c>kiosk.db</c> is renamed to
    /// <c>kiosk-compact-old.db</c>; 4. <c>kiosk-compact.db</c> is renamed to <c>kiosk.db</c>; 5. the old file is
    /// overwritten with random bytes, flushed and deleted; 6. reopened. Cut off anywhere, the next start
    /// (<see cref="RecoverCompaction"/>) finishes or undoes it. Every other store call waits meanwhile. Returns the file
    /// size before and after.
    /// </summary>
    public (long BytesBefore, long BytesAfter) Compact() => Compact(null);

    internal (long BytesBefore, long BytesAfter) Compact(CompactionStep? crashAfter)
    {
        lock (_gate)
        {
            Check();
            var copyPath = System.IO.Path.Combine(DataDirectory, CompactionFileName);
            var oldPath = System.IO.Path.Combine(DataDirectory, CompactionOldFileName);
            DeleteStoreFile(copyPath);
            _db.Checkpoint();
            var before = new FileInfo(Path).Length;
            CopyInto(copyPath, _key);
            Crash(CompactionStep.CopyWritten);

            _db.Dispose();
            Crash(CompactionStep.OldClosed);
            File.Move(Path, oldPath);
            Crash(CompactionStep.OldSetAside);
            File.Move(copyPath, Path);
            Crash(CompactionStep.FileSwapped);
            Shred(oldPath);

            _db = Open(Path, _key);
            (_dossiers, _outbox) = Collections(_db);
            return (before, new FileInfo(Path).Length);
        }

        void Crash(CompactionStep step)
        {
            if (crashAfter != step) return;
            if (step < CompactionStep.OldClosed) _db.Dispose();
            _closed = true;
            _lock.Dispose();
            throw new IOException($"simulated crash after {step}");
        }
    }

    /// <summary>
    /// Finishes or undoes a compaction cut off by a crash, before the store is opened: with no <c>kiosk.db</c> but the
    /// old file set aside, the copy was complete (it is written before the old file moves), so it becomes the store;
    /// then a leftover copy is deleted and a leftover old file shredded.
    /// </summary>
    private void RecoverCompaction()
    {
        var copyPath = System.IO.Path.Combine(DataDirectory, CompactionFileName);
        var oldPath = System.IO.Path.Combine(DataDirectory, CompactionOldFileName);
        if (!File.Exists(Path) && File.Exists(oldPath))
            File.Move(File.Exists(copyPath) ? copyPath : oldPath, Path);
        DeleteStoreFile(copyPath);
        if (File.Exists(oldPath)) Shred(oldPath);
    }

    private static void DeleteStoreFile(string path)
    {
        File.Delete(path);
        File.Delete(System.IO.Path.ChangeExtension(path, null) + "-log.db");
    }

    public string Path { get; }
    public string DataDirectory { get; }

    private void Migrate()
    {
        var version = _db.UserVersion;
        if (version >= SchemaVersion) return;
        // 0/1 → 2: lease, dead-letter, status-check and retention fields. Missing fields read as null: nothing to rewrite.
        _db.UserVersion = SchemaVersion;
    }

    private void ReleaseAllLeases()
    {
        lock (_gate) InTransaction(() =>
        {
            foreach (var e in _outbox.Find(o => o.LeaseOwner != null).ToList())
            {
                e.LeaseOwner = null;
                e.LeaseExpiresAt = null;
                _outbox.Update(e);
            }
        });
    }

    private T InTransaction<T>(Func<T> work)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _db.BeginTrans();
        try
        {
            var result = work();
            _db.Commit();
            return result;
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    private void InTransaction(Action work) => InTransaction(() => { work(); return 0; });

    private void Check() => ObjectDisposedException.ThrowIf(_closed, this);

    /// <summary>Saves a new dossier and its outbox entry atomically.</summary>
    public void SaveNew(Dossier dossier, OutboxEntry entry)
    {
        lock (_gate) InTransaction(() =>
        {
            _dossiers.Insert(dossier);
            _outbox.Insert(entry);
        });
    }

    public Dossier? FindDossier(Guid id)
    {
        lock (_gate) { Check(); return _dossiers.FindById(id); }
    }

    /// <summary>A dossier by portal code, or by local reference (the first 8 hex digits of its id, any case).</summary>
    public Dossier? FindByCodeOrReference(string codeOrReference)
    {
        lock (_gate)
        {
            Check();
            var byCode = _dossiers.FindOne(d => d.PortalCode == codeOrReference);
            if (byCode is not null) return byCode;
            var reference = codeOrReference.Trim().ToLowerInvariant();
            if (reference.Length < 8 || !reference.All(Uri.IsHexDigit)) return null;
            return _dossiers.FindAll().FirstOrDefault(d => d.Id.ToString("N").StartsWith(reference, StringComparison.Ordinal));
        }
    }

    public IReadOnlyList<Dossier> AllDossiers()
    {
        lock (_gate) { Check(); return _dossiers.FindAll().OrderBy(d => d.CreatedAt).ToList(); }
    }

    /// <summary>Due entries, without claiming them (for tests and the console).</summary>
    public IReadOnlyList<OutboxEntry> DueOutbox(DateTime now, int max = 20)
    {
        lock (_gate)
        {
            Check();
            return QueryDue(now, max);
        }
    }

    /// <summary>
    /// Due, live, unleased entries in due-time order, read through the <c>NextAttemptAt</c> index: LiteDB walks the index
    /// from the oldest due time and stops after <paramref name="max"/> matches, so a claim costs the same with 10 or
    /// 100,000 entries waiting (dead letters and live leases in front are skipped, there are few).
    /// </summary>
    private List<OutboxEntry> QueryDue(DateTime now, int max) =>
        _outbox.Query()
            .Where(o => o.NextAttemptAt <= now)
            .Where(o => o.DeadLetteredAt == null && (o.LeaseOwner == null || o.LeaseExpiresAt <= now))
            .OrderBy(o => o.NextAttemptAt)
            .Limit(max)
            .ToList();

    /// <summary>
    /// Claims up to <paramref name="max"/> due entries for <paramref name="owner"/> until now + <paramref name="lease"/>,
    /// in one transaction. An entry leased by another owner is skipped until its lease expires.
    /// </summary>
    public IReadOnlyList<OutboxEntry> ClaimDue(string owner, DateTime now, TimeSpan lease, int max = 20)
    {
        lock (_gate) return InTransaction(() =>
        {
            var due = QueryDue(now, max);
            foreach (var e in due)
            {
                e.LeaseOwner = owner;
                e.LeaseExpiresAt = now + lease;
            }
            _outbox.Update(due);
            return (IReadOnlyList<OutboxEntry>)due;
        });
    }

    /// <summary>Gives claimed entries back without counting an attempt, in one transaction.</summary>
    public void Release(IEnumerable<Guid> outboxIds, string owner)
    {
        lock (_gate) InTransaction(() =>
        {
            foreach (var id in outboxIds)
            {
                var e = _outbox.FindById(id);
                if (e is null || e.LeaseOwner != owner) continue;
                e.LeaseOwner = null;
                e.LeaseExpiresAt = null;
                _outbox.Update(e);
            }
        });
    }

    /// <summary>Gives a claimed entry back without counting an attempt (e.g. the pass stopped because the portal is down).</summary>
    public void Release(Guid outboxId, string owner)
    {
        lock (_gate) InTransaction(() =>
        {
            var e = _outbox.FindById(outboxId);
            if (e is null || e.LeaseOwner != owner) return;
            e.LeaseOwner = null;
            e.LeaseExpiresAt = null;
            _outbox.Update(e);
        });
    }

    /// <summary>Every outbox entry that is not dead-lettered, oldest first.</summary>
    public IReadOnlyList<OutboxEntry> AllOutbox()
    {
        lock (_gate) { Check(); return _outbox.Find(o => o.DeadLetteredAt == null).OrderBy(o => o.CreatedAt).ToList(); }
    }

    public IReadOnlyList<OutboxEntry> DeadLetters()
    {
        lock (_gate) { Check(); return _outbox.Find(o => o.DeadLetteredAt != null).OrderBy(o => o.CreatedAt).ToList(); }
    }

    /// <summary>
    /// The outbox counts without reading every entry (they stay cheap with 100,000 waiting): the total from the id
    /// index, dead letters from the dossiers' <c>State</c> index, live leases by a range query on the
    /// <c>LeaseExpiresAt</c> index (few of either), the oldest live entry by walking the <c>CreatedAt</c> index from the
    /// start and skipping dead letters.
    /// </summary>
    public OutboxSummary Summary(DateTime now)
    {
        lock (_gate)
        {
            Check();
            var total = _outbox.Count();
            // A dead-lettered entry and its dossier's DeadLetter state are written in one transaction (DeadLetter).
            var dead = _dossiers.Count(d => d.State == DossierState.DeadLetter);
            // A lease is written and cleared with its expiry, and a dead letter loses its lease: live leases are the
            // entries whose expiry is still ahead.
            var leased = _outbox.Count(Query.GT(nameof(OutboxEntry.LeaseExpiresAt), new BsonValue(now)));
            DateTime? oldest = null;
            if (total > dead)
                foreach (var e in _outbox.Query().OrderBy(o => o.CreatedAt).ToEnumerable())
                    if (e.DeadLetteredAt is null) { oldest = e.CreatedAt; break; }
            return new OutboxSummary(total - dead, leased, dead, oldest);
        }
    }

    /// <summary>
    /// The dead letters' reasons (the portal's refusal, e.g. <c>HTTP 403 kiosk-id-mismatch</c>) and how many of each,
    /// read through the dossiers' <c>State</c> index (dead letters are few).
    /// </summary>
    public IReadOnlyDictionary<string, int> DeadLetterReasons()
    {
        lock (_gate)
        {
            Check();
            return _dossiers.Find(d => d.State == DossierState.DeadLetter)
                .Select(d => d.DeadLetterReason ?? "unknown")
                .GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        }
    }

    /// <summary>The earliest time a live entry is due (null when nothing waits); a leased entry counts from its lease expiry.</summary>
    public DateTime? NextAttemptAt()
    {
        lock (_gate)
        {
            Check();
            // Walk the due-time index: leased entries (claimed when due, so early in the order) count at their lease
            // expiry; the first unleased entry ends the walk, everything after it is due later anyway.
            DateTime? next = null;
            foreach (var o in _outbox.Query().Where(o => o.DeadLetteredAt == null).OrderBy(o => o.NextAttemptAt).ToEnumerable())
            {
                var at = o.LeaseOwner != null && o.LeaseExpiresAt > o.NextAttemptAt ? o.LeaseExpiresAt!.Value : o.NextAttemptAt;
                if (next is null || at < next) next = at;
                if (o.LeaseOwner == null || next <= o.NextAttemptAt) break;
            }
            return next;
        }
    }

    /// <summary>True when any entry waits for delivery (dead letters do not count).</summary>
    public bool HasPending()
    {
        lock (_gate) { Check(); return _outbox.Exists(o => o.DeadLetteredAt == null); }
    }

    /// <summary>Makes every live entry due now (<c>kioskctl sync now</c>). Returns how many.</summary>
    public int MakeAllDue(DateTime now)
    {
        lock (_gate) return InTransaction(() =>
        {
            var n = 0;
            foreach (var e in _outbox.Find(o => o.DeadLetteredAt == null && o.NextAttemptAt > now).ToList())
            {
                e.NextAttemptAt = now;
                _outbox.Update(e);
                n++;
            }
            return n;
        });
    }

    /// <summary>Marks the dossier delivered and removes its outbox entry, in one transaction.</summary>
    public void MarkDelivered(Guid outboxId, Guid dossierId, string code, int status, DateTime at) =>
        MarkDelivered([new Delivery(outboxId, dossierId, code, status)], at);

    /// <summary>
    /// Marks several dossiers delivered and removes their outbox entries, all in one transaction (the relay's batched
    /// commit). A crash before the commit leaves every entry in the outbox: they are sent again with the same
    /// idempotency key and the portal replays its first answer.
    /// </summary>
    public void MarkDelivered(IReadOnlyCollection<Delivery> deliveries, DateTime at)
    {
        if (deliveries.Count == 0) return;
        lock (_gate) InTransaction(() =>
        {
            foreach (var d in deliveries)
            {
                var dossier = _dossiers.FindById(d.DossierId);
                if (dossier is not null)
                {
                    dossier.State = DossierState.Delivered;
                    dossier.PortalCode = d.Code;
                    dossier.PortalStatus = d.Status;
                    dossier.DeliveredAt = at;
                    dossier.StatusCheckedAt = at;
                    if (d.FaceImageAtCounter is { } atCounter) dossier.FaceImageAtCounter = atCounter;
                    _dossiers.Update(dossier);
                }
                _outbox.Delete(d.OutboxId);
            }
        });
    }

    /// <summary>Counts a failed attempt, frees the lease and sets the next attempt time.</summary>
    public void RecordFailure(Guid outboxId, string error, DateTime nextAttemptAt)
    {
        lock (_gate) InTransaction(() =>
        {
            var entry = _outbox.FindById(outboxId);
            if (entry is null) return;
            entry.Attempts++;
            entry.LastError = error;
            entry.NextAttemptAt = nextAttemptAt;
            entry.LeaseOwner = null;
            entry.LeaseExpiresAt = null;
            _outbox.Update(entry);
        });
    }

    /// <summary>The portal refused the entry: it stays (for a technician) but is never retried automatically.</summary>
    public void DeadLetter(Guid outboxId, Guid dossierId, string error, DateTime at)
    {
        lock (_gate) InTransaction(() =>
        {
            var entry = _outbox.FindById(outboxId);
            if (entry is null) return;
            entry.Attempts++;
            entry.LastError = error;
            entry.DeadLetteredAt = at;
            entry.LeaseOwner = null;
            entry.LeaseExpiresAt = null;
            _outbox.Update(entry);
            var dossier = _dossiers.FindById(dossierId);
            if (dossier is not null)
            {
                dossier.State = DossierState.DeadLetter;
                dossier.DeadLetterReason = error;
                _dossiers.Update(dossier);
            }
        });
    }

    /// <summary>
    /// A technician's way back for dead letters once their cause is fixed (<c>kioskctl sync requeue</c>): each dead letter
    /// whose reason is <paramref name="reason"/> (every one when null) goes back to the outbox, due now, with its attempt
    /// count (and so its backoff) reset, its dossier saved again; all in one transaction. The entry keeps its id, its
    /// dossier id (the idempotency key) and its body byte for byte, so the portal still files it once and cannot answer
    /// 422 for a changed body. With <paramref name="dryRun"/> nothing changes. Returns the matching entries.
    /// </summary>
    public IReadOnlyList<OutboxEntry> RequeueDeadLetters(string? reason, DateTime now, bool dryRun)
    {
        lock (_gate) return InTransaction(() =>
        {
            var matched = new List<OutboxEntry>();
            foreach (var entry in _outbox.Find(o => o.DeadLetteredAt != null).OrderBy(o => o.CreatedAt).ToList())
            {
                var dossier = _dossiers.FindById(entry.DossierId);
                if (reason is not null && (dossier?.DeadLetterReason ?? entry.LastError ?? "unknown") != reason) continue;
                matched.Add(entry);
                if (dryRun) continue;
                entry.DeadLetteredAt = null;
                entry.Attempts = 0;
                entry.NextAttemptAt = now;
                entry.LeaseOwner = null;
                entry.LeaseExpiresAt = null;
                _outbox.Update(entry);
                if (dossier is null) continue;
                dossier.State = DossierState.Saved;
                dossier.DeadLetterReason = null;
                _dossiers.Update(dossier);
            }
            return (IReadOnlyList<OutboxEntry>)matched;
        });
    }

    /// <summary>Delivered dossiers whose portal status is not final, least recently checked first.</summary>
    public IReadOnlyList<Dossier> DossiersAwaitingStatus(int max)
    {
        lock (_gate)
        {
            Check();
            return _dossiers.Find(d => d.State == DossierState.Delivered && d.PortalCode != null).ToList()
                .Where(d => !DossierStatuses.IsFinal(d.PortalStatus))
                .OrderBy(d => d.StatusCheckedAt ?? DateTime.MinValue).Take(max).ToList();
        }
    }

    public void RecordStatus(Guid dossierId, int status, DateTime at)
    {
        lock (_gate) InTransaction(() =>
        {
            var d = _dossiers.FindById(dossierId);
            if (d is null) return;
            d.PortalStatus = status;
            d.StatusCheckedAt = at;
            _dossiers.Update(d);
        });
    }

    /// <summary>
    /// Erases the personal data (the form and portal body) of dossiers the portal confirmed before
    /// <paramref name="deliveredBefore"/>; keeps the skeleton (id, procedure, dates, code, status). Returns how many.
    /// </summary>
    public int ErasePersonalData(DateTime deliveredBefore, DateTime now)
    {
        lock (_gate) return InTransaction(() =>
        {
            var n = 0;
            foreach (var d in _dossiers.Find(d => d.State == DossierState.Delivered && d.PersonalDataErasedAt == null && d.DeliveredAt <= deliveredBefore).ToList())
            {
                d.FormJson = "{}";
                d.PersonalDataErasedAt = now;
                _dossiers.Update(d);
                n++;
            }
            return n;
        });
    }

    /// <summary>
    /// Decommissioning: closes the store and destroys it irreversibly. Every store file (<c>kiosk*.db</c>) and the key
    /// file are overwritten with random bytes, flushed to disk, then deleted. The store is unusable afterwards.
    /// </summary>
    public IReadOnlyList<string> Wipe()
    {
        lock (_gate)
        {
            Check();
            _db.Dispose();
            _closed = true;
            var files = Directory.GetFiles(DataDirectory, "kiosk*.db")
                .Concat(Directory.GetFiles(DataDirectory, StoreKey.FileName + "*"))
                .Where(File.Exists).ToList();
            foreach (var file in files) Shred(file);
            _lock.Dispose();
            File.Delete(System.IO.Path.Combine(DataDirectory, LockFileName));
            return files.Select(System.IO.Path.GetFileName).ToList()!;
        }
    }

    private static void Shred(string path)
    {
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            var length = stream.Length;
            var buffer = new byte[64 * 1024];
            for (long written = 0; written < length; written += buffer.Length)
            {
                RandomNumberGenerator.Fill(buffer);
                stream.Write(buffer, 0, (int)Math.Min(buffer.Length, length - written));
            }
            stream.Flush(flushToDisk: true);
        }
        File.Delete(path);
    }

    public bool IsClosed { get { lock (_gate) return _closed; } }

    public void Dispose()
    {
        lock (_gate)
        {
            if (!_closed) _db.Dispose();
            _closed = true;
            _lock.Dispose();
        }
    }
}
