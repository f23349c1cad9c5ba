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
    [InlineData(KioskStore.RotationStep.FileSwapped)]
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
        Assert.False(File.Exists(Path.Combine(dir.Path, StoreKey.NewFileName)));
        Assert.False(File.Exists(Path.Combine(dir.Path, KioskStore.RotationFileName)));
        // And a later rotation works.
        using (var again = new KioskStore(dir.Path)) Assert.Equal((2, 2), again.RotateKey());
        using (var last = new KioskStore(dir.Path)) Assert.Equal(2, last.AllDossiers().Count);
    }
}
