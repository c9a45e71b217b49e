using Broker.Core.Capacity;
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
    /// Applies a decision that frees a node by moving running on-prem jobs (ADR 0009, session 30 amendment), all or nothing,
    /// in one transaction with the pending job, every moved job and their live segments locked: each moved job must still run
    /// once on <see cref="NodeFreeingMove.FromNode"/>, never moved before; its segment ends as migrated and it is placed on
    /// <see cref="NodeFreeingMove.ToNode"/> as a pending job would be; then the pending job is placed on the freed node. When
    /// any check fails (a pass ran twice, a moved job finished or was cancelled since the snapshot) nothing is written and the
    /// job is looked at next pass. The ledger bills each segment from Slurm's own times, the old one to its cancel, the new
    /// one from its start.
    /// </summary>
    /// <returns>The old segments (to release, first), then the allocations written (the moved jobs' and the pending job's);
    /// empty when the decision was rolled back.</returns>
    private async Task<IReadOnlyList<Guid>> FreeNodeAsync(OnPremDecision decision, PlacementPlan plan, Policies.PolicyBook terms,
        CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var pendingId = Guid.Parse(decision.JobId);
        var ids = decision.Moves!.Select(m => Guid.Parse(m.JobId)).Append(pendingId).Distinct().Order().ToArray();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await LockJobsAndLiveSegmentsAsync(ids, ct);
            var jobs = await db.Jobs.Where(j => ids.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
            var segments = (await db.Allocations.Where(a => ids.Contains(a.JobId) && a.State != AllocationState.Closed).ToListAsync(ct))
                .ToLookup(a => a.JobId);
            if (jobs.GetValueOrDefault(pendingId) is not { State: JobState.Pending } job || segments[pendingId].Any())
            {
                return Skipped(decision, $"job {pendingId} is no longer pending");
            }
            var released = new List<Guid>();
            var created = new List<Guid>();
            foreach (var move in decision.Moves!)
            {
                var movedId = Guid.Parse(move.JobId);
                if (jobs.GetValueOrDefault(movedId) is not { State: JobState.Running, Migrations: 0 } moved
                    || segments[movedId].ToList() is not [{ IsOnPrem: true, MemberNodes: null, State: AllocationState.Running } old]
                    || !string.Equals(old.Node, move.FromNode, StringComparison.Ordinal))
                {
                    return Skipped(decision, $"job {movedId} no longer runs once on {move.FromNode}, never moved");
                }
                var to = new OnPremDecision(move.JobId, move.ToNode, move.Gpus, move.GpuModel, move.CostPerHour,
                    new Explanation($"moved from {move.FromNode} to free it for job {decision.JobId}", []));
                var allocation = ToAllocation(to, moved, plan.Now, terms.For(moved.Team).LeaseFactor ?? lifecycle.LeaseFactor)!;
                if (!JobLifecycle.MovedOffNode(moved, old, JobLifecycle.Where(allocation), plan.Now))
                {
                    return Skipped(decision, $"job {movedId}'s segment cannot end as moved");
                }
                Record(moved, DecisionView.From(to, plan), allocation, CostReservation.For(allocation, to, moved), plan.Now);
                released.Add(old.Id);
                created.Add(allocation.Id);
            }
            var pendingSince = job.UpdatedAt;
            var placed = ToAllocation(decision, job, plan.Now, terms.For(job.Team).LeaseFactor ?? lifecycle.LeaseFactor)!;
            Record(job, DecisionView.From(decision, plan), placed, CostReservation.For(placed, decision, job), plan.Now);
            created.Add(placed.Id);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            foreach (var _ in decision.Moves!)
            {
                metrics.Placed(TimeSpan.Zero, CapacityType.OnPrem);
            }
            metrics.Placed(plan.Now - pendingSince, placed.Market);
            return [.. released, .. created];
        }
        catch (DbUpdateException e) when (ChangedDuringPass(e))
        {
            return Skipped(decision, "a job changed during the pass");
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
        {
            return Skipped(decision, "its rows were locked by another writer");
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private IReadOnlyList<Guid> Skipped(OnPremDecision decision, string why)
    {
        logger.LogInformation("Freeing node {Node} for job {Job} is not applied ({Why}); it is looked at again next pass",
            decision.Node, decision.JobId, why);
        return [];
    }
}
