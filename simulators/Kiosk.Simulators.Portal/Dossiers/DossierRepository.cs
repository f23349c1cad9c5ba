using LiteDB;

namespace Kiosk.Simulators.Portal.Dossiers;

/// <summary>One received dossier, keyed by its code, with the first answer kept for idempotent replays.</summary>
public sealed class DossierRecord
{
    [BsonId] public string Code { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public string BodySha256 { get; set; } = "";
    public string Procedure { get; set; } = "";
    public string? KioskId { get; set; }
    /// <summary>CN of the client certificate the dossier arrived with (mutual TLS); null over plain HTTP.</summary>
    public string? ClientCertificate { get; set; }
    public string Body { get; set; } = "";
    public DateTime ReceivedAt { get; set; }
    public int Status { get; set; }
    public int Submissions { get; set; }
    public int ResponseStatusCode { get; set; }
    public string ResponseBody { get; set; } = "";
    /// <summary>VNeID level 1: "received" or "missing" (staff take it at the counter); null for other procedures.</summary>
    public string? FaceImage { get; set; }
    /// <summary>The received face image's format, SHA-256 (hex) and length: the image itself is not kept.</summary>
    public string? FaceImageFormat { get; set; }
    public string? FaceImageSha256 { get; set; }
    public int? FaceImageLength { get; set; }
    /// <summary>
    /// The kiosk's verification record of the card (the dossier's <c>verification</c> member, JSON text): trust outcome
    /// and reasons, passive/chip/active authentication, SOD digest and hash, document signer, fingerprint result. No
    /// personal data. Null when the dossier carried none.
    /// </summary>
    public string? Verification { get; set; }
    /// <summary>From the record: <c>verified</c> or <c>untrusted</c> (a kiosk never files a refused card).</summary>
    public string? CardTrust { get; set; }
    /// <summary>From the record: staff verify the card at the counter before the dossier is handled.</summary>
    public bool StaffVerification { get; set; }
}

/// <summary>What the portal keeps of a dossier's verification record: the record as sent, and the two facts staff act on.</summary>
public sealed record VerificationReceipt(string Json, string? CardTrust, bool StaffVerification);

/// <summary>What the portal keeps of a dossier's face image: whether it came, and its fingerprint, never the bytes.</summary>
public sealed record FaceImageReceipt(string State, string? Format = null, string? Sha256 = null, int? Length = null);

public sealed class DailyCounter
{
    [BsonId] public string Id { get; set; } = "";
    public int Value { get; set; }
}

public enum SubmitOutcome { Created, Replayed, KeyReusedWithOtherBody }

public sealed record SubmitResult(SubmitOutcome Outcome, DossierRecord Record);

/// <summary>LiteDB store of the portal simulator. All writes are serialised; each submission is one transaction.</summary>
public sealed class DossierRepository : IDisposable
{
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<DossierRecord> _dossiers;
    private readonly ILiteCollection<DailyCounter> _counters;
    private readonly Lock _gate = new();

    public DossierRepository(string path)
    {
        // A mapper of its own, as the kiosk store has: with LiteDB's shared BsonMapper.Global, two simulators started at
        // once in one process (parallel tests) now and then answered a first submission with 500, apparently a type map
        // read by one while the other was still building it.
        _db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }, new BsonMapper());
        _dossiers = _db.GetCollection<DossierRecord>("dossiers");
        _dossiers.EnsureIndex(d => d.IdempotencyKey, unique: true);
        _dossiers.EnsureIndex(d => d.ReceivedAt);
        _counters = _db.GetCollection<DailyCounter>("counters");
    }

    /// <summary>
    /// Creates the dossier for a new key, or finds the earlier one. <paramref name="answer"/> builds the stored first
    /// answer (status code and body) from the new record.
    /// </summary>
    public SubmitResult Submit(string key, string bodySha256, string procedure, string? kioskId, string body, DateTime now,
        Func<DossierRecord, (int StatusCode, string Body)> answer, string? clientCertificate = null, FaceImageReceipt? face = null,
        VerificationReceipt? verification = null)
    {
        lock (_gate)
        {
            _db.BeginTrans();
            try
            {
                var existing = _dossiers.FindOne(d => d.IdempotencyKey == key);
                if (existing is not null)
                {
                    if (existing.BodySha256 != bodySha256)
                    {
                        _db.Rollback();
                        return new SubmitResult(SubmitOutcome.KeyReusedWithOtherBody, existing);
                    }
                    existing.Submissions++;
                    _dossiers.Update(existing);
                    _db.Commit();
                    return new SubmitResult(SubmitOutcome.Replayed, existing);
                }

                var prefix = DossierCodes.PrefixFor(procedure);
                var day = now.ToString("yyyyMMdd");
                var counterId = $"{prefix}-{day}";
                var counter = _counters.FindById(counterId) ?? new DailyCounter { Id = counterId };
                counter.Value++;
                _counters.Upsert(counter);

                var record = new DossierRecord
                {
                    Code = $"{counterId}-{counter.Value:D6}",
                    IdempotencyKey = key,
                    BodySha256 = bodySha256,
                    Procedure = procedure,
                    KioskId = kioskId,
                    ClientCertificate = clientCertificate,
                    Body = body,
                    ReceivedAt = now,
                    Status = 1,
                    Submissions = 1,
                    FaceImage = face?.State,
                    FaceImageFormat = face?.Format,
                    FaceImageSha256 = face?.Sha256,
                    FaceImageLength = face?.Length,
                    Verification = verification?.Json,
                    CardTrust = verification?.CardTrust,
                    StaffVerification = verification?.StaffVerification ?? false,
                };
                (record.ResponseStatusCode, record.ResponseBody) = answer(record);
                _dossiers.Insert(record);
                _db.Commit();
                return new SubmitResult(SubmitOutcome.Created, record);
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
    }

    /// <summary>Moves a dossier to another lifecycle status (1–10); null when the code is unknown.</summary>
    public DossierRecord? SetStatus(string code, int status)
    {
        lock (_gate)
        {
            var d = _dossiers.FindById(code);
            if (d is null) return null;
            d.Status = status;
            _dossiers.Update(d);
            return d;
        }
    }

    public DossierRecord? Find(string code)
    {
        lock (_gate) return _dossiers.FindById(code);
    }

    public IReadOnlyList<DossierRecord> All()
    {
        lock (_gate) return _dossiers.FindAll().OrderBy(d => d.ReceivedAt).ToList();
    }

    /// <summary>The newest <paramref name="max"/> dossiers, newest first (through the received-time index), and the total.</summary>
    public (IReadOnlyList<DossierRecord> Newest, int Total) Latest(int max)
    {
        lock (_gate) return (_dossiers.Query().OrderByDescending(d => d.ReceivedAt).Limit(max).ToList(), _dossiers.Count());
    }

    public void Dispose() => _db.Dispose();
}

public static class DossierCodes
{
    /// <summary>Readable code prefix per procedure (LT = lưu trú, TT = tạm trú, TH = thường trú, XN = xác nhận).</summary>
    public static string PrefixFor(string procedure) => procedure switch
    {
        "thong-bao-luu-tru" => "LT",
        "dang-ky-tam-tru" => "TT",
        "dang-ky-thuong-tru" => "TH",
        "xac-nhan-cmnd" => "XN",
        "khai-bao-cu-tru" => "KB",
        _ => "HS",
    };
}
