using Broker.Core.Audit;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Fleet;

/// <summary>
/// Ops terminating a cloud instance Broker manages. The request is the normal lifecycle's own move: the segment ends
/// (<see cref="AllocationEnd.Terminated"/>) and its job is requeued with its checkpoints, exactly as after an interruption,
/// and the allocation is left Releasing for <see cref="AllocationWorker.ReleaseAsync"/> (or the reconciler) to terminate
/// the instance, close the row and price it. The change and its one audit record are saved together under the
/// allocation's row lock, so two replicas terminating the same instance at once change and audit it once.
/// </summary>
public sealed class InstanceTerminations(BrokerDbContext db, AuditTrail audit, AllocationWorker worker, TimeProvider clock,
    ILogger<InstanceTerminations> logger)
{
    private const int MaxAttempts = 8;

    /// <summary>The allocation after the request, and whether this request changed it (false: it was already being torn down).</summary>
    public sealed record Outcome(Allocation Allocation, bool Changed);

    /// <summary>What the audit trail keeps of an instance: no token hash, nothing secret.</summary>
    public sealed record View(Guid Id, Guid JobId, string Provider, string? Region, string? Zone, string? InstanceType, string Market,
        string? ExternalId, string State, string? End, string JobState);

    /// <summary>
    /// Requests the termination, then tears the instance down at once if the provider answers; otherwise the reconciler
    /// does on its next round. Returns the allocation as it is afterwards.
    /// </summary>
    public async Task<Outcome> TerminateAsync(Guid allocationId, AuditActor actor, CancellationToken ct)
    {
        var outcome = await RequestAsync(allocationId, actor, ct);
        if (outcome.Allocation.State != AllocationState.Releasing)
        {
            return outcome;
        }
        try
        {
            await worker.ReleaseAsync(allocationId, ct);
        }
        catch (ProviderException e)
        {
            logger.LogWarning("Terminating instance {Allocation} is left to the reconciler: {Reason}", allocationId, e.Message);
        }
        db.ChangeTracker.Clear();
        return outcome with { Allocation = await db.Allocations.AsNoTracking().FirstAsync(a => a.Id == allocationId, ct) };
    }

    /// <exception cref="NotFoundException">No cloud allocation has this id.</exception>
    /// <exception cref="ConflictException">The instance is already gone for another reason.</exception>
    public async Task<Outcome> RequestAsync(Guid allocationId, AuditActor actor, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryRequestAsync(allocationId, actor, ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
            {
                // The job row moved under us (its instance reported, a cancel): read both again and decide again.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<Outcome> TryRequestAsync(Guid allocationId, AuditActor actor, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var allocation = await db.Allocations.FromSql($"SELECT *, xmin FROM allocations WHERE id = {allocationId} FOR UPDATE")
            .FirstOrDefaultAsync(ct);
        if (allocation is null || allocation.IsOnPrem)
        {
            throw new NotFoundException("instance", allocationId);
        }
        switch (allocation.State)
        {
            case AllocationState.Closed when allocation.End == AllocationEnd.Terminated:
            case AllocationState.Releasing:
                return new Outcome(allocation, Changed: false);
            case AllocationState.Closed:
                throw new ConflictException(
                    $"Instance {allocationId} is already closed (it ended: {allocation.End?.ToString() ?? "unknown"}); there is nothing to terminate.");
        }
        var job = await db.Jobs.FirstAsync(j => j.Id == allocation.JobId, ct);
        var before = ViewOf(allocation, job);
        JobLifecycle.Interrupted(job, allocation, AllocationEnd.Terminated, "Terminated by ops", PostgresTime.Now(clock));
        audit.Record(actor, "instance.terminate", $"instance:{allocationId}", before, ViewOf(allocation, job));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new Outcome(allocation, Changed: true);
    }

    private static View ViewOf(Allocation a, Jobs.Job job) => new(a.Id, a.JobId, a.Provider, a.Region, a.Zone, a.InstanceType,
        Lower(a.Market), a.ExternalId, Lower(a.State), a.End is { } end ? Lower(end) : null, Lower(job.State));

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
