using Kiosk.Host.Store;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Store;

/// <summary>The outbox counts (<c>/api/status</c>, <c>kioskctl sync status</c>) read from indexes, on a few thousand entries.</summary>
public class OutboxSummaryTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc);
    private const int Count = 3000;

    [Fact]
    public void Counts_and_the_oldest_entry_match_a_full_read_through_deliveries_leases_and_dead_letters()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        Assert.Equal(new OutboxSummary(0, 0, 0, null), store.Summary(T0));

        var ids = new List<(Guid Dossier, Guid Outbox)>();
        for (var i = 0; i < Count; i++)
        {
            var id = Guid.NewGuid();
            var entry = Guid.NewGuid();
            var at = T0.AddSeconds(i);
            const string body = """{"procedure":"thong-bao-luu-tru","form":{}}""";
            store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = at, FormJson = body },
                new OutboxEntry { Id = entry, DossierId = id, Body = body, CreatedAt = at, NextAttemptAt = at });
            ids.Add((id, entry));
        }
        var now = T0.AddSeconds(Count);
        Assert.Equal(new OutboxSummary(Count, 0, 0, T0), Utc(store.Summary(now)));

        // The two oldest are refused (dead letters), three more are leased, one of them fails (lease freed), ten are delivered.
        var lease = TimeSpan.FromSeconds(30);
        var claimed = store.ClaimDue("relay-a", now, lease, max: 5);
        Assert.Equal(ids.Take(5).Select(x => x.Outbox), claimed.Select(c => c.Id));
        store.DeadLetter(ids[0].Outbox, ids[0].Dossier, "HTTP 422", now);
        store.DeadLetter(ids[1].Outbox, ids[1].Dossier, "HTTP 400", now);
        store.RecordFailure(ids[4].Outbox, "HTTP 503", now.AddMinutes(1));
        store.MarkDelivered(ids.Skip(100).Take(10).Select(x => new Delivery(x.Outbox, x.Dossier, "LT-1", 1)).ToList(), now);

        var summary = Utc(store.Summary(now.AddSeconds(1)));
        Assert.Equal(new OutboxSummary(Count - 12, 2, 2, T0.AddSeconds(2)), summary);
        Assert.Equal(FullRead(store, now.AddSeconds(1)), summary);

        // Leases lapse by time alone; the counts follow the clock passed in.
        Assert.Equal(0, store.Summary(now.Add(lease)).Leased);
        Assert.Equal(FullRead(store, now.Add(lease)), Utc(store.Summary(now.Add(lease))));

        // After a restart (leases released at open) the counts are the same but for the leases.
        store.Dispose();
        using var reopened = new KioskStore(dir.Path);
        Assert.Equal(new OutboxSummary(Count - 12, 0, 2, T0.AddSeconds(2)), Utc(reopened.Summary(now)));
    }

    [Fact]
    public void The_oldest_entry_skips_dead_letters_and_is_null_when_only_dead_letters_remain()
    {
        using var dir = new TempDir();
        using var store = new KioskStore(dir.Path);
        var id = Guid.NewGuid();
        var entry = Guid.NewGuid();
        store.SaveNew(new Dossier { Id = id, Procedure = "thong-bao-luu-tru", CreatedAt = T0 },
            new OutboxEntry { Id = entry, DossierId = id, Body = "{}", CreatedAt = T0, NextAttemptAt = T0 });
        store.DeadLetter(entry, id, "HTTP 422", T0);
        Assert.Equal(new OutboxSummary(0, 0, 1, null), store.Summary(T0));
    }

    /// <summary>LiteDB hands dates back in local time; compare instants.</summary>
    private static OutboxSummary Utc(OutboxSummary s) => s with { OldestPendingAt = s.OldestPendingAt?.ToUniversalTime() };

    /// <summary>The counts as the old implementation computed them, from every entry.</summary>
    private static OutboxSummary FullRead(KioskStore store, DateTime now)
    {
        var live = store.AllOutbox();
        return new OutboxSummary(live.Count, live.Count(e => e.LeaseOwner is not null && e.LeaseExpiresAt > now),
            store.DeadLetters().Count, live.Count == 0 ? null : live.Min(e => e.CreatedAt).ToUniversalTime());
    }
}
