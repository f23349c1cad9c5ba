using System.Runtime.InteropServices;
using Kiosk.Host.Store;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Store;

/// <summary>Key rotation on the real encrypted store on disk, cut off after each step as a crash would leave it.</summary>
public sealed class KeyRotationTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc);

    private static Guid Add(KioskStore store)
    {
        var id = Guid.NewGuid();
        var body = "{\"procedure\":\"thong-bao-luu-tru\",\"form\":{\"fullName\":\"Nguyễn Văn An\"}}";
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = T0, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = T0, NextAttemptAt = T0 });
        return id;
    }

    private static string Key(string dir) => File.ReadAllText(Path.Combine(dir, StoreKey.FileName)).Trim();

    [Fact]
    public void Rotation_re_encrypts_with_a_new_key_and_keeps_every_dossier()
    {
        using var dir = new TempDir();
        Guid a, b;
        string oldKey;
        using (var store = new KioskStore(dir.Path))
        {
            a = Add(store);
            b = Add(store);
            oldKey = Key(dir.Path);
            Assert.Equal((2, 2), store.RotateKey());
            // The open store goes on working with the new file.
            Assert.Equal(2, store.AllOutbox().Count);
            Add(store);
        }
        var newKey = Key(dir.Path);
        Assert.NotEqual(oldKey, newKey);
        Assert.False(File.Exists(Path.Combine(dir.Path, StoreKey.NewFileName)));
        Assert.False(File.Exists(Path.Combine(dir.Path, KioskStore.RotationFileName)));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, StoreKey.FileName)));
        // The old key no longer opens the file; the new one does.
        Assert.ThrowsAny<Exception>(() => { using var _ = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Path.Combine(dir.Path, KioskStore.FileName), Password = oldKey }); });
        using (var reopened = new KioskStore(dir.Path))
        {
            Assert.Equal(3, reopened.AllDossiers().Count);
            Assert.Contains("Nguyễn", reopened.FindDossier(a)!.FormJson);
            Assert.NotNull(reopened.FindDossier(b));
            Assert.Equal(3, reopened.ClaimDue("r", T0, TimeSpan.FromSeconds(30), 10).Count);
        }
    }

    [Theory]
    [InlineData(KioskStore.RotationStep.NewKeyWritten)]
    [InlineData(KioskStore.RotationStep.CopyWritten)]
    [InlineData(KioskStore.RotationStep.OldClosed)]
    [InlineData(KioskStore.RotationStep.OldSetAside)]
    [InlineData(KioskStore.RotationStep.FileSwapped)]
    [InlineData(KioskStore.RotationStep.OldStoreShredded)]
    [InlineData(KioskStore.RotationStep.OldKeySetAside)]
    [InlineData(KioskStore.RotationStep.KeySwapped)]
    public void A_crash_at_any_step_leaves_a_store_that_opens_with_one_of_the_two_keys(KioskStore.RotationStep step)
    {
        using var dir = new TempDir();
        Guid a;
        string oldKey;
        var store = new KioskStore(dir.Path);
        a = Add(store);
        Add(store);
        oldKey = Key(dir.Path);
        Assert.Throws<IOException>(() => store.RotateKey(step));
        store.Dispose();

        using (var reopened = new KioskStore(dir.Path))
        {
            Assert.Equal(2, reopened.AllDossiers().Count);
            Assert.Contains("Nguyễn", reopened.FindDossier(a)!.FormJson);
            Assert.Equal(2, reopened.AllOutbox().Count);
        }
        // Finished (file swapped: the new key) or undone (the old key), and nothing half-made is left.
        var expectNewKey = step >= KioskStore.RotationStep.FileSwapped;
        Assert.Equal(expectNewKey, Key(dir.Path) != oldKey);
        AssertNoRotationLeftovers(dir.Path);
        // And a later rotation works.
        using (var again = new KioskStore(dir.Path)) Assert.Equal((2, 2), again.RotateKey());
        using (var last = new KioskStore(dir.Path)) Assert.Equal(2, last.AllDossiers().Count);
    }

    private static void AssertNoRotationLeftovers(string dir)
    {
        foreach (var name in new[] { StoreKey.NewFileName, StoreKey.OldFileName, KioskStore.RotationFileName, KioskStore.RotationOldFileName })
            Assert.False(File.Exists(Path.Combine(dir, name)), name + " is left");
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink(string existing, string link);

    [Fact]
    public void Rotation_overwrites_the_old_store_file_and_the_old_key_before_deleting_them()
    {
        using var dir = new TempDir();
        using var links = new TempDir();
        string oldKey;
        var oldStore = Path.Combine(links.Path, "old-kiosk.db");
        var oldKeyFile = Path.Combine(links.Path, "old-store.key");
        using (var store = new KioskStore(dir.Path))
        {
            Add(store);
            oldKey = Key(dir.Path);
            // Second names for the old files' contents (same file system: TempDir is under the same temp folder). A
            // rename alone would leave these readable; shredding overwrites the very bytes they name.
            Assert.Equal(0, HardLink(Path.Combine(dir.Path, KioskStore.FileName), oldStore));
            Assert.Equal(0, HardLink(Path.Combine(dir.Path, StoreKey.FileName), oldKeyFile));
            store.RotateKey();
        }

        Assert.Equal(
            new[] { KioskStore.FileName, KioskStore.LockFileName, StoreKey.FileName },
            Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        Assert.NotEqual(oldKey, Key(dir.Path));
        var keyBytes = File.ReadAllBytes(oldKeyFile);
        Assert.Equal(oldKey.Length, keyBytes.Length);
        Assert.NotEqual(oldKey, System.Text.Encoding.ASCII.GetString(keyBytes));
        // The old store file's bytes no longer open with the old key: they are random now.
        Assert.ThrowsAny<Exception>(() => { using var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = oldStore, Password = oldKey, ReadOnly = true }); db.GetCollectionNames().ToList(); });
        using var reopened = new KioskStore(dir.Path);
        Assert.Single(reopened.AllDossiers());
    }
}
