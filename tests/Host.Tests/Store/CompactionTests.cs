using System.Text;
using Kiosk.Host.Store;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Host.Tests.Store;

/// <summary>
/// Retention's compaction on the real encrypted store on disk: the file is decrypted page by page with LiteDB's own
/// AES stream and the key file, and searched for the erased personal data.
/// </summary>
public sealed class CompactionTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc);
    private const string ErasedName = "Phạm Thị Hoa Đào";
    private const string KeptName = "Lê Văn Giữ";

    private static Guid Add(KioskStore store, string name, int padding = 3000)
    {
        var id = Guid.NewGuid();
        // Padding makes each dossier take pages of its own, so the file's size says whether freed pages went.
        var body = $"{{\"procedure\":\"thong-bao-luu-tru\",\"form\":{{\"fullName\":\"{name}\",\"note\":\"{new string('x', padding)}\"}}}}";
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = T0, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = T0, NextAttemptAt = T0 });
        return id;
    }

    /// <summary>
    /// Every page of the store file and of its log (when there is one), decrypted with the key file (LiteDB's AES
    /// stream: each file carries its salt).
    /// </summary>
    private static byte[] Decrypted(string dir)
    {
        var key = File.ReadAllText(Path.Combine(dir, StoreKey.FileName)).Trim();
        using var plain = new MemoryStream();
        foreach (var name in new[] { KioskStore.FileName, "kiosk-log.db" })
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path) || new FileInfo(path).Length == 0) continue;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var aes = new LiteDB.Engine.AesStream(key, file);
            aes.CopyTo(plain);
        }
        return plain.ToArray();
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Fills a store with 40 delivered dossiers of <see cref="ErasedName"/> and one waiting of <see cref="KeptName"/>.</summary>
    private static (List<Guid> Erased, Guid Kept) Fill(KioskStore store)
    {
        var erased = Enumerable.Range(0, 40).Select(_ => Add(store, ErasedName)).ToList();
        var kept = Add(store, KeptName);
        foreach (var (id, n) in erased.Select((id, n) => (id, n)))
        {
            var entry = store.AllOutbox().Single(o => o.DossierId == id);
            store.MarkDelivered(entry.Id, id, $"LT-20261126-{n:D6}", 1, T0);
        }
        return (erased, kept);
    }

    [Fact]
    public void Retention_erases_then_compacts_so_the_erased_data_is_not_in_the_decrypted_file_and_it_shrinks()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var (erased, kept) = Fill(store);
        store.Compact(); // start from a compact file: what follows measures the retention pass alone

        Assert.Equal(40, store.ErasePersonalData(T0, T0.AddDays(8)));
        var before = new FileInfo(store.Path).Length;
        // The point of it all: erased from the documents, still in the file's freed pages (readable with the key).
        Assert.True(Contains(Decrypted(dir.Path), ErasedName), "the erased name should still be in the file before compaction");

        var (bytesBefore, bytesAfter) = store.Compact();
        Assert.Equal(before, bytesBefore);
        Assert.True(bytesAfter < bytesBefore / 2, $"{bytesBefore} → {bytesAfter} bytes");
        Assert.Equal(bytesAfter, new FileInfo(store.Path).Length);

        var plain = Decrypted(dir.Path);
        Assert.False(Contains(plain, ErasedName));
        Assert.True(Contains(plain, KeptName)); // the decryption works: what is still there is found
        // Only the store (and the log of the reopened store), its key and the lock: no backup, temporary, rotation or
        // compaction file.
        Assert.Subset(new HashSet<string?> { KioskStore.FileName, "kiosk-log.db", KioskStore.LockFileName, StoreKey.FileName },
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToHashSet());

        // The store goes on working: skeletons kept, the waiting dossier intact and claimable, new filings saved.
        Assert.All(erased, id => Assert.Equal("{}", store.FindDossier(id)!.FormJson));
        Assert.Equal("LT-20261126-000000", store.FindDossier(erased[0])!.PortalCode);
        Assert.Contains(KeptName, store.FindDossier(kept)!.FormJson);
        Assert.Equal(kept, Assert.Single(store.ClaimDue("r", T0, TimeSpan.FromSeconds(30), 10)).DossierId);
        Add(store, "Mới");
        Assert.Equal(42, store.AllDossiers().Count);
    }

    [Fact]
    public void The_retention_pass_compacts_only_when_it_erased_something()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        Fill(store);
        var clock = new Kiosk.Host.Tests.Sync.ManualClock(new DateTimeOffset(T0.AddDays(8)));
        var retention = new RetentionService(store, clock, new SyncOptions(), NullLogger<RetentionService>.Instance);
        var before = new FileInfo(store.Path).Length;

        Assert.Equal(40, retention.RunOnce());
        Assert.True(new FileInfo(store.Path).Length < before);
        Assert.False(Contains(Decrypted(dir.Path), ErasedName));

        var written = File.GetLastWriteTimeUtc(store.Path);
        Assert.Equal(0, retention.RunOnce()); // nothing erased: the file is not rebuilt
        Assert.Equal(written, File.GetLastWriteTimeUtc(store.Path));
    }

    [Theory]
    [InlineData(KioskStore.CompactionStep.CopyWritten)]
    [InlineData(KioskStore.CompactionStep.OldClosed)]
    [InlineData(KioskStore.CompactionStep.OldSetAside)]
    [InlineData(KioskStore.CompactionStep.FileSwapped)]
    public void A_crash_at_any_step_leaves_a_usable_store_and_no_stale_copy(KioskStore.CompactionStep step)
    {
        using var dir = new TempDir();
        Guid kept;
        List<Guid> erased;
        using (var store = new KioskStore(dir.Path))
        {
            (erased, kept) = Fill(store);
            store.ErasePersonalData(T0, T0.AddDays(8));
            Assert.Throws<IOException>(() => store.Compact(step));
            Assert.True(store.IsClosed);
        }
        // As the crash left it: a copy, the old file set aside, or both, depending on the step.
        Assert.True(File.Exists(Path.Combine(dir.Path, KioskStore.CompactionFileName)) || File.Exists(Path.Combine(dir.Path, KioskStore.CompactionOldFileName)));

        using (var reopened = new KioskStore(dir.Path))
        {
            Assert.Equal(41, reopened.AllDossiers().Count);
            Assert.Contains(KeptName, reopened.FindDossier(kept)!.FormJson);
            Assert.All(erased, id => Assert.Equal(DossierState.Delivered, reopened.FindDossier(id)!.State));
            Assert.Single(reopened.AllOutbox());
            // No leftover of the cut-off compaction: the old file (with the freed pages) is shredded, the copy deleted.
            Assert.False(File.Exists(Path.Combine(dir.Path, KioskStore.CompactionFileName)));
            Assert.False(File.Exists(Path.Combine(dir.Path, KioskStore.CompactionOldFileName)));
            // From the step where the copy replaced the file, the erased data is gone; before it, the next pass removes it.
            if (step < KioskStore.CompactionStep.OldSetAside) reopened.Compact();
            Add(reopened, "Mới");
        }
        Assert.False(Contains(Decrypted(dir.Path), ErasedName));
    }
}
