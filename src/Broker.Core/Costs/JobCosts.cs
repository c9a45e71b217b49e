using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Costs;

/// <summary>What one job has cost so far, its on-demand equivalent, and what the engine expected when it placed it.</summary>
/// <param name="Final">Every segment is closed and in the ledger, so the numbers will not change (short of a correction).</param>
public sealed record JobCost(decimal SoFar, decimal OnDemandEquivalent, decimal? EstimateAtPlacement, decimal? LatestEstimate,
    int Entries, bool Final)
{
    /// <summary>A job just submitted: nothing placed, nothing spent.</summary>
    public static JobCost None { get; } = new(0, 0, null, null, 0, false);
}

public sealed class JobCosts(BrokerDbContext db, SegmentPricing pricing, TimeProvider clock)
{
    /// <summary>
    /// Ledger entries, plus the segments not priced yet: a running one accrues from its start to now, a closed one up to
    /// its end, by the same pricing as the ledger (Broker's own times; on-prem entries later take Slurm's).
    /// </summary>
    public async Task<JobCost> ForAsync(Job job, CancellationToken ct)
    {
        var entries = await db.CostEntries.AsNoTracking().Where(e => e.JobId == job.Id)
            .GroupBy(e => e.JobId).Select(g => new { Cost = g.Sum(e => e.Cost), OnDemand = g.Sum(e => e.OnDemandCost), Count = g.Count() })
            .FirstOrDefaultAsync(ct);
        var unpriced = await db.Allocations.AsNoTracking()
            .Where(a => a.JobId == job.Id && !db.CostRecordings.Any(r => r.AllocationId == a.Id)).ToListAsync(ct);
        var reservations = await db.CostReservations.AsNoTracking().Where(r => r.JobId == job.Id).OrderBy(r => r.CreatedAt)
            .Select(r => r.ExpectedCost).ToListAsync(ct);
        decimal cost = entries?.Cost ?? 0, onDemand = entries?.OnDemand ?? 0;
        var now = PostgresTime.Now(clock);
        foreach (var a in unpriced)
        {
            var tail = await UnpricedAsync(a, job, now, ct);
            cost += tail.Cost;
            onDemand += tail.OnDemand;
        }
        var final = unpriced.Count == 0 && job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
        return new JobCost(cost, onDemand, reservations.Count > 0 ? reservations[0] : null, reservations.Count > 0 ? reservations[^1] : null,
            entries?.Count ?? 0, final);
    }

    /// <summary>
    /// What each segment has cost so far, by the same rules as <see cref="ForAsync"/>: its ledger entries (corrections
    /// included) once it is priced, else its unpriced tail.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, decimal>> ForSegmentsAsync(IReadOnlyList<(Allocation Segment, Job Job)> segments,
        CancellationToken ct)
    {
        var ids = segments.Select(s => s.Segment.Id).ToList();
        var priced = (await db.CostRecordings.AsNoTracking().Where(r => ids.Contains(r.AllocationId)).Select(r => r.AllocationId)
            .ToListAsync(ct)).ToHashSet();
        var ledger = await db.CostEntries.AsNoTracking().Where(e => ids.Contains(e.AllocationId)).GroupBy(e => e.AllocationId)
            .Select(g => new { g.Key, Cost = g.Sum(e => e.Cost) }).ToDictionaryAsync(g => g.Key, g => g.Cost, ct);
        var now = PostgresTime.Now(clock);
        var result = new Dictionary<Guid, decimal>(segments.Count);
        foreach (var (a, job) in segments)
        {
            result[a.Id] = priced.Contains(a.Id) ? ledger.GetValueOrDefault(a.Id) : (await UnpricedAsync(a, job, now, ct)).Cost;
        }
        return result;
    }

    /// <summary>A segment not in the ledger yet: a running one accrues from its start to now, a closed one up to its end.</summary>
    private async Task<(decimal Cost, decimal OnDemand)> UnpricedAsync(Allocation a, Job job, DateTimeOffset now, CancellationToken ct)
    {
        var end = a.State == AllocationState.Closed ? a.EndedAt ?? now : now;
        if (a.StartedAt is not { } start || end <= start)
        {
            return (0, 0);
        }
        decimal cost = 0, onDemand = 0;
        // Priced per member instance as the ledger will price it (a cloud gang's members each end their own way).
        foreach (var (member, _) in CloudGangLedger.Members(a))
        {
            var parts = (await pricing.ForAsync(member, job, new SegmentLifetime(start, end, "broker"), ct)).Parts();
            cost += parts.Sum(p => p.Cost);
            onDemand += parts.Sum(p => p.OnDemandCost);
        }
        return (cost, onDemand);
    }
}
