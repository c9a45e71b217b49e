using System.Text.Json;
using Broker.Core.Costs.Budgets;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Broker.Core.Costs;

public enum RecordOutcome
{
    Recorded,
    AlreadyRecorded,
    /// <summary>The allocation is not closed yet (or does not exist): nothing to price.</summary>
    NotClosed,
    /// <summary>On-prem and Slurm is unreachable: tried again by the next sweep.</summary>
    Deferred,
}

/// <summary>
/// Writes the ledger entries of closed allocations, exactly once each: the entries and a <see cref="CostRecording"/>
/// marker (primary key = allocation id) go in one transaction, so a second writer (another replica, a re-run background
/// job) finds the marker written (<c>ON CONFLICT DO NOTHING</c>, not an error) and writes nothing. The same transaction trues up the team's budget from the entries.
/// </summary>
public sealed class CostRecorder(BrokerDbContext db, IOnPremCluster cluster, SegmentPricing pricing, BudgetAccounts budgets,
    TimeProvider clock, ILogger<CostRecorder> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RecordOutcome> RecordAsync(Guid allocationId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var a = await db.Allocations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == allocationId, ct);
        if (a is not { State: AllocationState.Closed })
        {
            return RecordOutcome.NotClosed;
        }
        if (await db.CostRecordings.AnyAsync(r => r.AllocationId == allocationId, ct))
        {
            return RecordOutcome.AlreadyRecorded;
        }
        return await PriceAsync(a, ct);
    }

    /// <summary>
    /// Prices an allocation its caller has just closed (the row as that close wrote it), without reading it again: a
    /// concurrent writer of the same entries still fails on the marker, so nothing is written twice.
    /// </summary>
    private async Task<RecordOutcome> PriceAsync(Allocation a, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().Include(j => j.Labels).FirstAsync(j => j.Id == a.JobId, ct);
        var life = await SegmentLifetime.OfAsync(a, cluster, clock, ct);
        if (life.Deferred)
        {
            return RecordOutcome.Deferred;
        }
        var now = PostgresTime.Now(clock);
        var labels = JsonSerializer.Serialize(new SortedDictionary<string, string>(job.Labels.ToDictionary(x => x.Key, x => x.Value), StringComparer.Ordinal), Json);
        var entries = new List<CostEntry>();
        // A cloud gang (ADR 0012) is billed per member instance: one entry (per price piece) for each, at one instance's price.
        foreach (var (member, instanceId) in CloudGangLedger.Members(a))
        {
            var parts = life.Lifetime is { } l ? (await pricing.ForAsync(member, job, l, ct)).Parts() : [];
            var offset = entries.Count;
            entries.AddRange(parts.Select(p => ToEntry(member, job, p, labels, life.Lifetime!.Source, now, offset, instanceId)));
        }
        return await WriteAsync(a, job.Team, entries, now, ct);
    }

    /// <summary>Prices every closed allocation not priced yet (the safety net behind the hook in the release path).</summary>
    public async Task<int> RecordClosedAsync(int max, CancellationToken ct)
    {
        var ids = await db.Allocations.AsNoTracking()
            .Where(a => a.State == AllocationState.Closed && !db.CostRecordings.Any(r => r.AllocationId == a.Id))
            .OrderBy(a => a.EndedAt).Select(a => a.Id).Take(max).ToListAsync(ct);
        var recorded = 0;
        foreach (var id in ids)
        {
            recorded += await RecordAsync(id, ct) == RecordOutcome.Recorded ? 1 : 0;
        }
        return recorded;
    }

    /// <summary>
    /// The hook in the release path, given the allocation as its close wrote it: never fails the release; what it could not
    /// write, the sweep writes later.
    /// </summary>
    public async Task TryRecordAsync(Allocation closed, CancellationToken ct)
    {
        try
        {
            db.ChangeTracker.Clear();
            if (closed.State != AllocationState.Closed)
            {
                throw new ArgumentException($"allocation {closed.Id} is {closed.State}, not closed", nameof(closed));
            }
            await PriceAsync(closed, ct);
        }
        catch (Exception e) when (e is DbUpdateException or NpgsqlException or InvalidOperationException or Provisioning.ProviderException)
        {
            logger.LogWarning(e, "Costs of allocation {Allocation} not recorded yet; the sweep retries", closed.Id);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// In the caller's open transaction, the one that has just closed <paramref name="closed"/> (a cloud segment: its
    /// lifetime needs no call out): its entries and marker, with the budget's true-up, committed or rolled back with the
    /// close. Throws what the ledger's writes throw (the caller rolls back and closes without it; the sweep prices it later).
    /// The caller's tracked rows stay tracked (its pending changes are saved with the entries): only what the ledger tracked is detached.
    /// </summary>
    public async Task RecordInClosingTransactionAsync(Allocation closed, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null || closed.State != AllocationState.Closed || closed.IsOnPrem)
        {
            throw new InvalidOperationException($"allocation {closed.Id} must be a cloud segment closed in the caller's open transaction");
        }
        var callers = db.ChangeTracker.Entries().Select(e => e.Entity).ToHashSet(ReferenceEqualityComparer.Instance);
        try
        {
            await PriceAsync(closed, ct);
        }
        finally
        {
            foreach (var ours in db.ChangeTracker.Entries().Where(e => !callers.Contains(e.Entity)).ToList())
            {
                ours.State = EntityState.Detached;
            }
        }
    }

    private async Task<RecordOutcome> WriteAsync(Allocation a, string team, List<CostEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        // In the caller's transaction when one is open (the close of the segment): then a failure is the caller's to roll back.
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using (own)
        {
            // Shared: the closes of one team run side by side; a period computed from the ledger waits for them.
            await BudgetAccounts.LockTeamSharedAsync(db, team, ct);
            if (!await ClaimAsync(a.Id, entries, now, ct))
            {
                if (own is not null)
                {
                    await own.RollbackAsync(ct);
                    db.ChangeTracker.Clear();
                }
                return RecordOutcome.AlreadyRecorded;
            }
            db.CostEntries.AddRange(entries);
            await db.SaveChangesAsync(ct);
            await budgets.TrueUpAsync(a.Id, team, entries, now, ct);
            if (own is not null)
            {
                await own.CommitAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
        return RecordOutcome.Recorded;
    }

    /// <summary>
    /// Writes the allocation's marker unless another writer did: the at-least-once writers (the release's hook, the sweep,
    /// on any replica) race for it as expected, so a conflict is an answer, not an error for EF to log; the entries, written
    /// only under the marker, then never meet <c>ux_cost_entries_usage_part</c>.
    /// </summary>
    private async Task<bool> ClaimAsync(Guid allocationId, List<CostEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        var count = entries.Count;
        var cost = entries.Sum(e => e.Cost);
        return await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO cost_recordings (allocation_id, entries, cost, recorded_at) VALUES ({allocationId}, {count}, {cost}, {now})
            ON CONFLICT (allocation_id) DO NOTHING
            """, ct) == 1;
    }

    private static CostEntry ToEntry(Allocation a, Job job, CostPart p, string labels, string source, DateTimeOffset now,
        int partOffset, string? instanceId) => new()
    {
        AllocationId = a.Id, Part = partOffset + p.Part, InstanceId = instanceId, Kind = CostEntryKind.Usage, JobId = a.JobId, Team = job.Team, Provider = a.Provider,
        Region = a.Region, Zone = a.Zone, InstanceType = a.InstanceType, Node = a.Node,
        MemberNodes = a.MemberNodes is null ? null : [.. a.MemberNodes], Market = a.Market, GpuModel = a.GpuModel,
        GpuCount = a.Gpus, StartedAt = p.Start, EndedAt = p.End, BilledSeconds = p.BilledSeconds, GpuHours = p.GpuHours,
        PricePerHour = p.PricePerHour, Cost = p.Cost, OnDemandPricePerHour = p.OnDemandPricePerHour, OnDemandCost = p.OnDemandCost,
        Labels = labels, Note = source, RecordedAt = now,
    };
}
