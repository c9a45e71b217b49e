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
        foreach (var a in unpriced.Where(a => a.StartedAt is not null))
        {
            var end = a.State == AllocationState.Closed ? a.EndedAt ?? now : now;
            if (end <= a.StartedAt!.Value)
            {
                continue;
            }
            var parts = (await pricing.ForAsync(a, job, new SegmentLifetime(a.StartedAt.Value, end, "broker"), ct)).Parts();
            cost += parts.Sum(p => p.Cost);
            onDemand += parts.Sum(p => p.OnDemandCost);
        }
        var final = unpriced.Count == 0 && job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
        return new JobCost(cost, onDemand, reservations.Count > 0 ? reservations[0] : null, reservations.Count > 0 ? reservations[^1] : null,
            entries?.Count ?? 0, final);
    }
}
