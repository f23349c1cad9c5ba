using System.Security.Cryptography;
using LiteDB;

namespace Kiosk.Host.Store;

/// <summary>Outbox counts for <c>kioskctl sync status</c> (no personal data).</summary>
public sealed record OutboxSummary(int Pending, int Leased, int DeadLetter, DateTime? OldestPendingAt);

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
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<Dossier> _dossiers;
    private readonly ILiteCollection<OutboxEntry> _outbox;
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
        var key = StoreKey.LoadOrCreate(dataDirectory);
        Path = System.IO.Path.Combine(dataDirectory, FileName);
        var mapper = new BsonMapper();
        _db = new LiteDatabase(new ConnectionString { Filename = Path, Password = key, Connection = ConnectionType.Direct }, mapper);
        _dossiers = _db.GetCollection<Dossier>("dossiers");
        _outbox = _db.GetCollection<OutboxEntry>("outbox");
        _outbox.EnsureIndex(o => o.NextAttemptAt);
        _dossiers.EnsureIndex(d => d.PortalCode);
        Migrate();
        // We hold the folder lock, so no other process is alive: leases left by a killed process are dead now.
        ReleaseAllLeases();
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
            return _outbox.Find(o => o.NextAttemptAt <= now && o.DeadLetteredAt == null && (o.LeaseOwner == null || o.LeaseExpiresAt <= now))
                .OrderBy(o => o.CreatedAt).Take(max).ToList();
        }
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due entries for <paramref name="owner"/> until now + <paramref name="lease"/>,
    /// in one transaction. An entry leased by another owner is skipped until its lease expires.
    /// </summary>
    public IReadOnlyList<OutboxEntry> ClaimDue(string owner, DateTime now, TimeSpan lease, int max = 20)
    {
        lock (_gate) return InTransaction(() =>
        {
            var due = _outbox.Find(o => o.NextAttemptAt <= now && o.DeadLetteredAt == null && (o.LeaseOwner == null || o.LeaseExpiresAt <= now))
                .OrderBy(o => o.CreatedAt).Take(max).ToList();
            foreach (var e in due)
            {
                e.LeaseOwner = owner;
                e.LeaseExpiresAt = now + lease;
                _outbox.Update(e);
            }
            return (IReadOnlyList<OutboxEntry>)due;
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

    public OutboxSummary Summary(DateTime now)
    {
        lock (_gate)
        {
            Check();
            int pending = 0, leased = 0, dead = 0;
            DateTime? oldest = null;
            foreach (var e in _outbox.FindAll())
            {
                if (e.DeadLetteredAt is not null) { dead++; continue; }
                pending++;
                if (e.LeaseOwner is not null && e.LeaseExpiresAt > now) leased++;
                if (oldest is null || e.CreatedAt < oldest) oldest = e.CreatedAt;
            }
            return new OutboxSummary(pending, leased, dead, oldest);
        }
    }

    /// <summary>The earliest time a live entry is due (null when nothing waits).</summary>
    public DateTime? NextAttemptAt()
    {
        lock (_gate)
        {
            Check();
            var live = _outbox.Find(o => o.DeadLetteredAt == null).ToList();
            return live.Count == 0 ? null : live.Min(o => o.LeaseOwner != null && o.LeaseExpiresAt > o.NextAttemptAt ? o.LeaseExpiresAt!.Value : o.NextAttemptAt);
        }
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
    public void MarkDelivered(Guid outboxId, Guid dossierId, string code, int status, DateTime at)
    {
        lock (_gate) InTransaction(() =>
        {
            var dossier = _dossiers.FindById(dossierId);
            if (dossier is not null)
            {
                dossier.State = DossierState.Delivered;
                dossier.PortalCode = code;
                dossier.PortalStatus = status;
                dossier.DeliveredAt = at;
                dossier.StatusCheckedAt = at;
                _dossiers.Update(dossier);
            }
            _outbox.Delete(outboxId);
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
                _dossiers.Update(dossier);
            }
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
                .Append(System.IO.Path.Combine(DataDirectory, StoreKey.FileName))
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
