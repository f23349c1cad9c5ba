using LiteDB;

namespace Kiosk.Host.Store;

/// <summary>
/// The kiosk's encrypted LiteDB store at <c>DATA/kiosk.db</c> (password from <c>DATA/store.key</c>). A dossier and its
/// outbox entry are written in one transaction; so are "delivered" and the removal of the outbox entry.
/// </summary>
public sealed class KioskStore : IDisposable
{
    public const string FileName = "kiosk.db";
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<Dossier> _dossiers;
    private readonly ILiteCollection<OutboxEntry> _outbox;
    private readonly Lock _gate = new();

    public KioskStore(string dataDirectory)
    {
        var key = StoreKey.LoadOrCreate(dataDirectory);
        Path = System.IO.Path.Combine(dataDirectory, FileName);
        var mapper = new BsonMapper();
        _db = new LiteDatabase(new ConnectionString { Filename = Path, Password = key, Connection = ConnectionType.Direct }, mapper);
        _dossiers = _db.GetCollection<Dossier>("dossiers");
        _outbox = _db.GetCollection<OutboxEntry>("outbox");
        _outbox.EnsureIndex(o => o.NextAttemptAt);
    }

    public string Path { get; }

    /// <summary>Saves a new dossier and its outbox entry atomically.</summary>
    public void SaveNew(Dossier dossier, OutboxEntry entry)
    {
        lock (_gate)
        {
            _db.BeginTrans();
            try
            {
                _dossiers.Insert(dossier);
                _outbox.Insert(entry);
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
    }

    public Dossier? FindDossier(Guid id)
    {
        lock (_gate) return _dossiers.FindById(id);
    }

    public IReadOnlyList<OutboxEntry> DueOutbox(DateTime now, int max = 20)
    {
        lock (_gate) return _outbox.Find(o => o.NextAttemptAt <= now).OrderBy(o => o.CreatedAt).Take(max).ToList();
    }

    public IReadOnlyList<OutboxEntry> AllOutbox()
    {
        lock (_gate) return _outbox.FindAll().OrderBy(o => o.CreatedAt).ToList();
    }

    public DateTime? NextAttemptAt()
    {
        lock (_gate) return _outbox.Count() == 0 ? null : _outbox.Min(o => o.NextAttemptAt);
    }

    /// <summary>Marks the dossier delivered and removes its outbox entry, in one transaction.</summary>
    public void MarkDelivered(Guid outboxId, Guid dossierId, string code, int status, DateTime at)
    {
        lock (_gate)
        {
            _db.BeginTrans();
            try
            {
                var dossier = _dossiers.FindById(dossierId);
                if (dossier is not null)
                {
                    dossier.State = DossierState.Delivered;
                    dossier.PortalCode = code;
                    dossier.PortalStatus = status;
                    dossier.DeliveredAt = at;
                    _dossiers.Update(dossier);
                }
                _outbox.Delete(outboxId);
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
    }

    public void RecordFailure(Guid outboxId, string error, DateTime nextAttemptAt)
    {
        lock (_gate)
        {
            var entry = _outbox.FindById(outboxId);
            if (entry is null) return;
            entry.Attempts++;
            entry.LastError = error;
            entry.NextAttemptAt = nextAttemptAt;
            _outbox.Update(entry);
        }
    }

    public void Dispose() => _db.Dispose();
}
