using Broker.Core.Capacity;
using Broker.Core.Errors;
using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>Releasing a segment: its instance or Slurm job goes, then the row closes (a cloud one with its ledger entries).</summary>
public sealed partial class AllocationWorker
{
    /// <summary>Terminates the instance (or cancels the Slurm job) of a releasing allocation, then closes it.</summary>
    public async Task ReleaseAsync(Guid allocationId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        if (await db.Allocations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == allocationId, ct) is { } allocation)
        {
            await ReleaseAsync(allocation, ct);
        }
    }

    /// <summary>
    /// <see cref="ReleaseAsync(Guid, CancellationToken)"/> of the row as its caller has just read or saved it: every step
    /// after the read is guarded (terminating twice is harmless, the close only closes a row still releasing).
    /// </summary>
    private async Task ReleaseAsync(Allocation allocation, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        if (allocation.State != AllocationState.Releasing)
        {
            return;
        }
        if (allocation.IsOnPrem)
        {
            await cluster.CancelAsync(allocation.Id, ct);
        }
        else if (allocation.IsCloudGang)
        {
            await ReleaseGangAsync(allocation, ct);
        }
        else
        {
            var cloud = clouds.Get(allocation.Provider);
            // Without an id the create may still have succeeded (its answer lost): find the instance by its allocation tag.
            var instanceId = allocation.ExternalId
                ?? (await cloud.ListManagedAsync(ct)).FirstOrDefault(i => i.AllocationId == allocation.Id)?.InstanceId;
            if (instanceId is not null)
            {
                await cloud.TerminateAsync(allocation.Region!, allocation.Zone, instanceId, ct);
            }
        }
        // The spot estimate learns from the segment as it was released (its end then), the ledger from it as closed.
        var spotHours = allocation is { Market: CapacityType.Spot, StartedAt: { } started, EndedAt: { } ended } ? (ended - started).TotalHours : (double?)null;
        JobLifecycle.Closed(allocation, PostgresTime.Now(clock));
        // On-prem the ledger asks Slurm for the segment's times, which no transaction should wait for.
        var closedByUs = allocation.IsOnPrem ? null : await CloseAndRecordAsync(allocation, ct);
        if (closedByUs is null)
        {
            closedByUs = await CloseAsync(allocation, ct);
            if (closedByUs.Value && allocation.IsOnPrem)
            {
                await ledger.TryRecordAsync(allocation, ct);
            }
        }
        if (closedByUs.Value && spotHours is { } hours)
        {
            await LearnFromSpotSegmentAsync(allocation, hours, allocation.End == AllocationEnd.Interrupted, ct);
        }
    }

    /// <summary>
    /// A cloud segment's close and its ledger entries in one transaction: whether this run closed it (false: another did
    /// first, and priced it), or null when the ledger could not be written (rolled back whole, the close to be made alone).
    /// </summary>
    private async Task<bool?> CloseAndRecordAsync(Allocation closed, CancellationToken ct)
    {
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!await CloseAsync(closed, ct))
            {
                return false;
            }
            await ledger.RecordInClosingTransactionAsync(closed, ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or ProviderException)
        {
            db.ChangeTracker.Clear();
            logger.LogWarning(e, "Costs of allocation {Allocation} could not be written with its close; it is closed without them and the sweep prices it",
                closed.Id);
            return null;
        }
    }

    /// <summary>
    /// <see cref="JobLifecycle.Closed"/> as one guarded UPDATE (state still Releasing), of a row already closed in memory
    /// (<paramref name="closed"/>), without reading it again: true when this run closed it, false when another did first.
    /// </summary>
    private async Task<bool> CloseAsync(Allocation closed, CancellationToken ct)
    {
        var endedAt = closed.EndedAt;
        return await db.Allocations.Where(a => a.Id == closed.Id && a.State == AllocationState.Releasing)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.State, AllocationState.Closed).SetProperty(a => a.EndedAt, endedAt), ct) == 1;
    }

    /// <summary>
    /// Once per closed spot segment: its instance-hours (and whether it was interrupted) feed the offer's interruption
    /// estimate, and an interruption blocks the offer's spot market for a while so the next placement goes elsewhere.
    /// </summary>
    private async Task LearnFromSpotSegmentAsync(Allocation a, double hours, bool interrupted, CancellationToken ct)
    {
        var key = new OfferKey(a.Provider, a.Region!, a.Zone, a.InstanceType!, CapacityType.Spot);
        if (interrupted)
        {
            await unavailable.BlockAsync(key, BlockScope.Offering, "spot interruption", ct);
        }
        try
        {
            await offers.RecordSpotUsageAsync(key, Math.Max(0, hours), interrupted, ct);
        }
        catch (NotFoundException)
        {
            logger.LogInformation("No catalog offer for {Offer}; its spot usage is not recorded", key);
        }
    }
}
