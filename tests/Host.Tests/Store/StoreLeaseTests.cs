using Kiosk.Host.Store;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Store;

/// <summary>Leases, dead letters, status, retention, the folder lock and the wipe, on a real encrypted store on disk.</summary>
public class StoreLeaseTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc);

    private static Guid Add(KioskStore store, DateTime at, string name = "Nguyễn Văn An")
    {
        var id = Guid.NewGuid();
        var body = $"{{\"procedure\":\"thong-bao-luu-tru\",\"form\":{{\"person\":{{\"fullName\":\"{name}\"}}}}}}";
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = at, FormJson = body },
            new OutboxEntry { Id = Guid.NewGuid(), DossierId = id, Body = body, CreatedAt = at, NextAttemptAt = at });
        return id;
    }

    [Fact]
    public void A_claimed_entry_is_not_claimed_again_until_its_lease_expires()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        Add(store, T0);
        var lease = TimeSpan.FromSeconds(30);
        var a = store.ClaimDue("relay-a", T0, lease);
        Assert.Single(a);
        Assert.Empty(store.ClaimDue("relay-b", T0.AddSeconds(29), lease));
        Assert.Equal(1, store.Summary(T0.AddSeconds(29)).Leased);
        var b = store.ClaimDue("relay-b", T0.AddSeconds(31), lease);
        Assert.Equal("relay-b", Assert.Single(b).LeaseOwner);
        // The old owner can no longer release it.
        store.Release(b[0].Id, "relay-a");
        Assert.Empty(store.ClaimDue("relay-c", T0.AddSeconds(32), lease));
        store.Release(b[0].Id, "relay-b");
        Assert.Single(store.ClaimDue("relay-c", T0.AddSeconds(32), lease));
    }

    [Fact]
    public void Leases_left_by_a_killed_process_are_freed_when_the_store_is_reopened()
    {
        using var dir = new TempDir();
        using (var store = new KioskStore(dir.Path))
        {
            Add(store, T0);
            Assert.Single(store.ClaimDue("dead-relay", T0, TimeSpan.FromHours(1)));
        }
        using (var store = new KioskStore(dir.Path))
        {
            var entry = Assert.Single(store.AllOutbox());
            Assert.Null(entry.LeaseOwner);
            Assert.Single(store.ClaimDue("new-relay", T0, TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public void A_second_store_on_the_same_folder_is_refused()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var e = Assert.Throws<InvalidOperationException>(() => new KioskStore(dir.Path));
        Assert.Contains("Another process", e.Message);
    }

    [Fact]
    public void Dead_letters_are_counted_kept_and_never_claimed()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var id = Add(store, T0);
        var entry = Assert.Single(store.ClaimDue("r", T0, TimeSpan.FromSeconds(30)));
        store.DeadLetter(entry.Id, id, "HTTP 422", T0);
        Assert.Empty(store.ClaimDue("r", T0.AddDays(1), TimeSpan.FromSeconds(30)));
        Assert.Empty(store.AllOutbox());
        Assert.Single(store.DeadLetters());
        Assert.Equal(DossierState.DeadLetter, store.FindDossier(id)!.State);
        var summary = store.Summary(T0);
        Assert.Equal((0, 1), (summary.Pending, summary.DeadLetter));
        Assert.Null(store.NextAttemptAt());
    }

    [Fact]
    public void Status_pull_candidates_stop_at_final_codes_and_lookup_finds_by_code_or_reference()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var a = Add(store, T0);
        var b = Add(store, T0);
        foreach (var e in store.ClaimDue("r", T0, TimeSpan.FromSeconds(30)))
            store.MarkDelivered(e.Id, e.DossierId, e.DossierId == a ? "LT-20261126-000001" : "LT-20261126-000002", 1, T0);
        Assert.Equal(2, store.DossiersAwaitingStatus(10).Count);
        store.RecordStatus(b, 9, T0.AddHours(1));
        Assert.Equal(a, Assert.Single(store.DossiersAwaitingStatus(10)).Id);
        Assert.Equal(b, store.FindByCodeOrReference("LT-20261126-000002")!.Id);
        Assert.Equal(a, store.FindByCodeOrReference(a.ToString("N")[..8].ToUpperInvariant())!.Id);
        Assert.Null(store.FindByCodeOrReference("zz"));
        Assert.True(DossierStatuses.IsFinal(9));
        Assert.False(DossierStatuses.IsFinal(4));
        Assert.Equal(Enumerable.Range(1, 10), DossierStatuses.All.Select(s => s.Code));
    }

    [Fact]
    public void Retention_erases_only_confirmed_dossiers_past_the_window_and_keeps_the_skeleton()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var old = Add(store, T0);
        var pending = Add(store, T0);
        var entry = store.AllOutbox().Single(o => o.DossierId == old);
        store.MarkDelivered(entry.Id, old, "LT-20261126-000001", 1, T0);

        Assert.Equal(0, store.ErasePersonalData(T0.AddDays(-1), T0.AddDays(6)));
        Assert.Equal(1, store.ErasePersonalData(T0, T0.AddDays(7)));
        var erased = store.FindDossier(old)!;
        Assert.Equal("{}", erased.FormJson);
        Assert.Equal(T0.AddDays(7), erased.PersonalDataErasedAt);
        Assert.Equal(("thong-bao-luu-tru", "LT-20261126-000001", 1), (erased.Procedure, erased.PortalCode, erased.PortalStatus));
        Assert.Contains("Nguyễn", store.FindDossier(pending)!.FormJson); // not confirmed: kept
        Assert.Equal(0, store.ErasePersonalData(T0.AddDays(30), T0.AddDays(30))); // already erased; the other is not delivered
    }

    [Fact]
    public void Wipe_overwrites_and_deletes_the_store_and_the_key()
    {
        using var dir = new TempDir();
        var store = new KioskStore(dir.Path);
        Add(store, T0);
        var files = store.Wipe();
        Assert.Contains(KioskStore.FileName, files);
        Assert.Contains(StoreKey.FileName, files);
        Assert.False(File.Exists(Path.Combine(dir.Path, KioskStore.FileName)));
        Assert.False(File.Exists(Path.Combine(dir.Path, StoreKey.FileName)));
        Assert.Empty(Directory.GetFiles(dir.Path, "kiosk*.db"));
        Assert.Throws<ObjectDisposedException>(() => store.AllOutbox());
        store.Dispose();
        // A new store on the folder starts empty with a new key.
        using var fresh = new KioskStore(dir.Path);
        Assert.Empty(fresh.AllDossiers());
    }
}
