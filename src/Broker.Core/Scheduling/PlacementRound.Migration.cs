using Broker.Core.Costs.Budgets;
using Broker.Core.Jobs;
using Broker.Core.Placement;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Broker.Core.Scheduling;

public sealed partial class PlacementRound
{
    /// <summary>
    /// Moves a cloud job back on-prem (ADR 0009, amendment) in one transaction, with the job's row and its live allocations
    /// locked: only while the job and its cloud segment are both still running (a pass may run twice, on two replicas) does
    /// the segment end as migrated, and the job is then placed on the decision's node as a pending job would be. The
    /// ledger bills the segment to the instance's end.
    /// </summary>
    /// <returns>The ended cloud segment (to release) and the new on-prem allocation; empty when nothing was written.</returns>
    private async Task<IReadOnlyList<Guid>> MigrateAsync(MigrationDecision decision, PlacementPlan plan, Policies.PolicyBook terms, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var jobId = Guid.Parse(decision.JobId);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockJobsAndLiveSegmentsAsync([jobId], ct);
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == jobId, ct);
        var segments = await db.Allocations.Where(a => a.JobId == jobId && a.State != AllocationState.Closed).ToListAsync(ct);
        if (job is not { State: JobState.Running, Migrations: 0 } || segments is not [{ IsOnPrem: false, State: AllocationState.Running } cloud])
        {
            return [];
        }
        var view = DecisionView.From(decision, plan);
        var allocation = ToAllocation(decision, job, plan.Now, terms.For(job.Team).LeaseFactor ?? lifecycle.LeaseFactor)!;
        if (!JobLifecycle.Migrated(job, cloud, JobLifecycle.Where(allocation), plan.Now))
        {
            return [];
        }
        Record(job, view, allocation, CostReservation.For(allocation, decision, job), plan.Now);
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (ChangedDuringPass(e))
        {
            logger.LogInformation("Job {Job} changed during the pass; its move on-prem is looked at again next pass", job.Id);
            return [];
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
        metrics.Placed(TimeSpan.Zero, allocation.Market);
        return [cloud.Id, allocation.Id];
    }
}
