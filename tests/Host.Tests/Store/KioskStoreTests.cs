using System.Text;
using Kiosk.Host.Store;
using Kiosk.Host.Tests.Support;
using LiteDB;

namespace Kiosk.Host.Tests.Store;

public class KioskStoreTests
{
    private static (Dossier, OutboxEntry) NewDossier(string name)
    {
        var id = Guid.NewGuid();
        var body = $"{{\"procedure\":\"thong-bao-luu-tru\",\"form\":{{\"person\":{{\"fullName\":\"{name}\"}}}}}}";
        return (new Dossier
        {
            Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = DateTime.UtcNow, FormJson = body,
            Consent = new ConsentRecord { Purpose = "test", GivenAt = DateTime.UtcNow },
        }, new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow });
    }

    [Fact]
    public void Dossier_and_outbox_are_written_together_and_survive_reopen()
    {
        using var dir = new TempDir();
        var (dossier, entry) = NewDossier("Nguyễn Văn An");
        using (var store = new KioskStore(dir.Path))
            store.SaveNew(dossier, entry);
        using (var store = new KioskStore(dir.Path))
        {
            Assert.NotNull(store.FindDossier(dossier.Id));
            Assert.Equal(dossier.Id, Assert.Single(store.AllOutbox()).DossierId);
            store.MarkDelivered(entry.Id, dossier.Id, "LT-20261126-000001", 1, DateTime.UtcNow);
            Assert.Empty(store.AllOutbox());
            Assert.Equal(DossierState.Delivered, store.FindDossier(dossier.Id)!.State);
            Assert.Equal("LT-20261126-000001", store.FindDossier(dossier.Id)!.PortalCode);
        }
    }

    [Fact]
    public void A_failed_write_leaves_neither_dossier_nor_outbox()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var (dossier, entry) = NewDossier("A");
        store.SaveNew(dossier, entry);
        var (second, secondEntry) = NewDossier("B");
        secondEntry.Id = entry.Id; // duplicate outbox id: the second insert fails inside the transaction
        Assert.ThrowsAny<LiteException>(() => store.SaveNew(second, secondEntry));
        Assert.Null(store.FindDossier(second.Id));
        Assert.Single(store.AllOutbox());
    }

    [Fact]
    public void File_is_encrypted_and_the_key_file_is_private()
    {
        using var dir = new TempDir();
        var (dossier, entry) = NewDossier("Nguyễn Văn Bình");
        using (var store = new KioskStore(dir.Path))
        {
            store.SaveNew(dossier, entry);
            // While open, the data may sit in the log file: it must be encrypted too.
            foreach (var file in Directory.GetFiles(dir.Path, "kiosk*.db"))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var open = new byte[stream.Length];
                stream.ReadExactly(open);
                Assert.True(open.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Nguyễn Văn Bình")) < 0, file);
                Assert.True(open.AsSpan().IndexOf(Encoding.UTF8.GetBytes("thong-bao-luu-tru")) < 0, file);
            }
        }

        var bytes = File.ReadAllBytes(Path.Combine(dir.Path, "kiosk.db"));
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Nguyễn Văn Bình")) < 0);
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("thong-bao-luu-tru")) < 0);

        Assert.ThrowsAny<Exception>(() =>
        {
            using var db = new LiteDatabase(new ConnectionString { Filename = Path.Combine(dir.Path, "kiosk.db"), Connection = ConnectionType.Direct });
            db.GetCollection("dossiers").Count();
        });
        Assert.ThrowsAny<Exception>(() =>
        {
            using var db = new LiteDatabase(new ConnectionString { Filename = Path.Combine(dir.Path, "kiosk.db"), Password = "wrong", Connection = ConnectionType.Direct });
            db.GetCollection("dossiers").Count();
        });

        var keyPath = Path.Combine(dir.Path, "store.key");
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(keyPath)).Length);
    }

    [Fact]
    public void Key_is_created_once()
    {
        using var dir = new TempDir();
        var first = StoreKey.LoadOrCreate(dir.Path);
        Assert.Equal(first, StoreKey.LoadOrCreate(dir.Path));
    }
}
