using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Broker.Core.Provisioning;

/// <summary>
/// Level-triggered convergence, run on a short schedule by any replica: lists every provider first, then reads the live
/// allocations, and moves each towards what the world says. Releases what finished segments left, fails and requeues
/// segments whose machine vanished or never came up, terminates managed instances nobody owns after a grace, deletes the
/// placement groups of cloud gangs that are over, and cancels Broker's Slurm jobs whose allocation closed more than a grace ago.
/// </summary>
public sealed partial class Reconciler(BrokerDbContext db, ComputeProviders clouds, IOnPremCluster cluster, AllocationWorker worker,
    LifecycleOptions options, TimeProvider clock, ILogger<Reconciler> logger, ProviderHealth health)
{
    /// <param name="SlurmJobsCancelled">Leftover Slurm jobs (pending or running for an allocation closed past the grace) cancelled.</param>
    /// <param name="PlacementGroupsDeleted">Cloud gangs' placement groups this round deleted (their gang closed, no member left).</param>
    public sealed record Result(IReadOnlyList<Guid> ToProvision, int Released, int Vanished, int TimedOut, int OrphansTerminated,
        int SlurmJobsCancelled, int PlacementGroupsDeleted);

    public async Task<Result> RunAsync(CancellationToken ct)
    {
        // Every replica's view of the providers' circuits, as of this pass.
        await health.RefreshAsync(ct);
        var listed = await ListProvidersAsync(ct);
        var slurmJobs = await ListBrokerSlurmJobsAsync(ct);
        db.ChangeTracker.Clear();
        var live = await db.Allocations.AsNoTracking().Where(a => a.State != AllocationState.Closed).ToListAsync(ct);
        var leftovers = await SlurmLeftovers.OfAsync(db, slurmJobs, ct);
        var now = clock.GetUtcNow();
        int released = 0, vanished = 0, timedOut = 0;
        var overdue = new List<Guid>();
        var leases = await LeasesAsync(live, ct);

        foreach (var a in live)
        {
            if (!a.IsOnPrem && !a.IsCloudGang && a.ExternalId is null && a.State != AllocationState.Releasing
                && listed.TryGetValue(a.Provider, out var mine) && mine.FirstOrDefault(i => i.AllocationId == a.Id) is { } found)
            {
                // A create whose answer was lost (or a process that died before recording it): the instance carries the
                // allocation's tag, so take its id from the listing and carry on from there.
                await worker.ApplyAsync(a.Id, (j, x, t) => JobLifecycle.Provisioning(j, x, found.InstanceId, t), ct);
            }
            if (a.IsOnPrem && NeedsSlurm(a, now))
            {
                // The source first: what Slurm recorded (a start, an end Broker never heard of while its database was down)
                // is applied before any lease or launch timeout judges the segment; while Slurm cannot say, nothing is judged.
                var verdict = await ReconcileOnPremAsync(a, now, ct);
                vanished += verdict == OnPremVerdict.Vanished ? 1 : 0;
                timedOut += verdict == OnPremVerdict.TimedOut ? 1 : 0;
                if (verdict != OnPremVerdict.StillRunning)
                {
                    continue;
                }
            }
            if (a is { State: AllocationState.Running, StartedAt: { } started } && leases.TryGetValue(a.Id, out var lease)
                && now - started > lease)
            {
                await ExpireLeaseAsync(a, lease, ct);
                released++;
                continue;
            }
            switch (a.State)
            {
                case AllocationState.Requested when now - a.CreatedAt > options.LaunchTimeout:
                    // Every launch attempt failed with a transient error (or none ran): stop handing it back.
                    await worker.FailLaunchAsync(a.Id, AllocationEnd.LaunchTimeout, "Not launched within the launch timeout", jobCannotRun: false, ct);
                    await TryReleaseAsync(a.Id, ct);
                    timedOut++;
                    break;
                case AllocationState.Requested when now - (a.HandedBackAt ?? a.CreatedAt) > options.RequeueRequestedAfter:
                    overdue.Add(a.Id);
                    break;
                case AllocationState.Releasing:
                    released += await TryReleaseAsync(a.Id, ct) ? 1 : 0;
                    break;
                case AllocationState.Provisioning or AllocationState.Running when a.IsOnPrem:
                    break;
                case AllocationState.Provisioning or AllocationState.Running:
                    var outcome = await ReconcileCloudAsync(a, listed, now, ct);
                    vanished += outcome == CloudOutcome.Vanished ? 1 : 0;
                    timedOut += outcome == CloudOutcome.TimedOut ? 1 : 0;
                    break;
            }
        }
        var toProvision = await HandBackAsync(overdue, now, ct);
        var orphans = await TerminateOrphansAsync(listed, live, now, ct);
        var groupsDeleted = await DeletePlacementGroupsAsync(listed, now, ct);
        var cancelled = await CancelLeftoversAsync(leftovers, now, ct);
        return new Result(toProvision, released, vanished, timedOut, orphans, cancelled, groupsDeleted);
    }

    /// <summary>
    /// Claims the overdue intent rows for another provisioning attempt: a row is handed back only while still Requested and
    /// not handed back within <see cref="LifecycleOptions.RequeueRequestedAfter"/>, so two replicas' rounds (or two rounds of
    /// one, behind a provisioning backlog) enqueue it once per interval, not once per round each.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> HandBackAsync(List<Guid> overdue, DateTimeOffset now, CancellationToken ct)
    {
        if (overdue.Count == 0)
        {
            return [];
        }
        var at = PostgresTime.Now(clock);
        var cutoff = now - options.RequeueRequestedAfter;
        var ids = overdue.ToArray();
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE allocations SET handed_back_at = {at}
            WHERE id = ANY({ids}) AND state = 'Requested' AND coalesce(handed_back_at, created_at) < {cutoff}
            RETURNING id AS "Value"
            """).ToListAsync(ct);
    }

    private enum CloudOutcome { Fine, Vanished, TimedOut }

    /// <summary>Each running segment's lease: its job's estimate times the lease factor the segment was placed with.</summary>
    private async Task<Dictionary<Guid, TimeSpan>> LeasesAsync(IReadOnlyList<Allocation> live, CancellationToken ct)
    {
        var running = live.Where(a => a.State == AllocationState.Running).ToList();
        var jobIds = running.Select(a => a.JobId).ToList();
        var estimates = await db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.Id))
            .ToDictionaryAsync(j => j.Id, j => j.EstimatedDuration, ct);
        return running.Where(a => estimates.ContainsKey(a.JobId)).ToDictionary(a => a.Id, a => options.LeaseOf(a, estimates[a.JobId]));
    }

    private async Task ExpireLeaseAsync(Allocation a, TimeSpan lease, CancellationToken ct)
    {
        logger.LogWarning("Lease of allocation {Allocation} (job {Job}) expired after {Lease}; terminating", a.Id, a.JobId, lease);
        if (await worker.ApplyAsync(a.Id, (j, x, t) => JobLifecycle.LeaseExpired(j, x, lease, t), ct))
        {
            await TryReleaseAsync(a.Id, ct);
        }
    }

    /// <summary>
    /// Releases now, or leaves the row Releasing for the next round while the on-prem cluster or the cloud cannot be
    /// reached (throttled, 5xx, circuit open): one provider's failure must not end the round for every other allocation.
    /// </summary>
    private async Task<bool> TryReleaseAsync(Guid allocationId, CancellationToken ct)
    {
        try
        {
            await worker.ReleaseAsync(allocationId, ct);
            return true;
        }
        catch (ClusterUnavailableException e)
        {
            logger.LogWarning("Cannot release on-prem allocation {Allocation} yet: {Reason}", allocationId, e.Message);
            return false;
        }
        catch (ProviderException e)
        {
            logger.LogWarning("Cannot release allocation {Allocation} on {Provider} yet ({Code}): {Reason}", allocationId, e.Provider,
                e.ProviderCode, e.Message);
            return false;
        }
    }

    private async Task<CloudOutcome> ReconcileCloudAsync(Allocation a, IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> listed,
        DateTimeOffset now, CancellationToken ct)
    {
        // Before anything else, also for a row that lacks its instance id (the release finds the instance by its tag).
        if (a.State == AllocationState.Provisioning && now - a.CreatedAt > options.LaunchTimeout)
        {
            await worker.FailLaunchAsync(a.Id, AllocationEnd.LaunchTimeout, "No running instance in time", jobCannotRun: false, ct);
            await TryReleaseAsync(a.Id, ct);
            return CloudOutcome.TimedOut;
        }
        if (a.State == AllocationState.Provisioning && a.ExternalId is null)
        {
            return CloudOutcome.Fine;
        }
        if (listed.TryGetValue(a.Provider, out var instances)
            && (a.IsCloudGang ? CloudGang.AnyMemberMissing(a, instances) : !instances.Any(i => i.InstanceId == a.ExternalId || i.AllocationId == a.Id))
            && now - (a.StartedAt ?? a.CreatedAt) > options.VanishGrace)
        {
            var end = a.Market == Capacity.CapacityType.Spot ? AllocationEnd.Interrupted : AllocationEnd.Vanished;
            // A gang's missing members are the ones the provider took; the others Broker terminates in the release.
            var missing = a.IsCloudGang ? CloudGang.MissingMembers(a, instances) : [];
            await worker.ApplyAsync(a.Id, (j, x, t) =>
            {
                if (x.IsCloudGang)
                {
                    CloudGang.Interrupt(j, x, missing, end, "vanished", t);
                }
                else
                {
                    JobLifecycle.Interrupted(j, x, end, "The instance vanished", t);
                }
            }, ct);
            await TryReleaseAsync(a.Id, ct);
            return CloudOutcome.Vanished;
        }
        return CloudOutcome.Fine;
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>>> ListProvidersAsync(CancellationToken ct)
    {
        var listed = new Dictionary<string, IReadOnlyList<ProviderInstance>>(StringComparer.Ordinal);
        foreach (var provider in clouds.Names.Select(clouds.Get))
        {
            try
            {
                listed[provider.Name] = await provider.ListManagedAsync(ct);
            }
            catch (ProviderException e)
            {
                logger.LogWarning("Listing {Provider} failed ({Code}); its allocations are left alone this round", provider.Name, e.ProviderCode);
            }
        }
        return listed;
    }

    /// <summary>
    /// Terminates the managed instances that no live allocation owns once past the grace. A segment still releasing owns
    /// its instance: its release (this round's, or the next one's while the cloud refuses) terminates it, so the sweep
    /// must not terminate it a second time. A refused termination is left for the next round, as a release is.
    /// </summary>
    private async Task<int> TerminateOrphansAsync(IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>> listed,
        IReadOnlyList<Allocation> live, DateTimeOffset now, CancellationToken ct)
    {
        var owned = live.Select(a => a.Id).ToHashSet();
        var terminated = 0;
        foreach (var (provider, instances) in listed)
        {
            foreach (var orphan in instances.Where(i => i.State != InstanceState.Terminated
                && (i.AllocationId is not { } id || !owned.Contains(id))
                && now - (i.LaunchedAt ?? now) > options.OrphanGrace))
            {
                logger.LogWarning("Terminating orphan {Provider} instance {Instance} (allocation {Allocation})", provider, orphan.InstanceId, orphan.AllocationId);
                try
                {
                    await clouds.Get(provider).TerminateAsync(orphan.Region, orphan.Zone, orphan.InstanceId, ct);
                    terminated++;
                }
                catch (ProviderException e)
                {
                    logger.LogWarning("Cannot terminate orphan {Provider} instance {Instance} yet ({Code}): {Reason}", provider, orphan.InstanceId,
                        e.ProviderCode, e.Message);
                }
            }
        }
        return terminated;
    }
}
