using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Costs.Budgets;
using Broker.Core.Costs;
using Broker.Core.Jobs;
using Broker.Core.OnPrem;
using Broker.Core.Persistence;
using Broker.Core.Placement;
using Broker.Core.Policies;
using Broker.Core.Prediction;
using Broker.Core.Provisioning;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Scheduling;

/// <summary>Maps the database (and the live offer blocks) onto the engine's snapshot.</summary>
public sealed partial class PlacementSnapshotBuilder(BrokerDbContext db, ComputeProviders clouds, UnavailableOfferCache unavailable,
    PlacementSettings settings, OnPremTenancy tenancy, PolicyService policies, BudgetAccounts budgets, OnPremRates rates,
    RuntimePredictions predictions)
{
    /// <summary>
    /// The snapshot's moment is read from <paramref name="clock"/> only after the held allocations: a release another replica
    /// committed before that read carries an earlier time, so no allocation of this pass predates a release it relied on.
    /// </summary>
    public async Task<PlacementSnapshot> BuildAsync(TimeProvider clock, CancellationToken ct)
    {
        // Offer blocks any replica found, as of this pass (they are cached for at most a pass).
        await unavailable.RefreshAsync(ct);
        var holding = await db.Allocations.AsNoTracking().Where(a => a.State != AllocationState.Closed).ToListAsync(ct);
        var now = PostgresTime.Now(clock);
        // A requeued job whose last segment is still Releasing (its teardown waits for Slurm or the cloud) waits for it:
        // placing it now would break the one-live-allocation-per-job index and fail the whole pass for every job.
        var pending = await db.Jobs.AsNoTracking()
            .Where(j => j.State == JobState.Pending && !db.Allocations.Any(a => a.JobId == j.Id && a.State != AllocationState.Closed))
            .OrderBy(j => j.Seq).Take(settings.MaxJobsPerPass).ToListAsync(ct);
        var (strikes, requeued) = await HistoryAsync([.. pending.Select(j => j.Id)], ct);
        var live = holding.Where(a => a.State != AllocationState.Releasing).ToList();
        var liveJobIds = live.Select(a => a.JobId).ToList();
        var liveJobs = await db.Jobs.AsNoTracking().Where(j => liveJobIds.Contains(j.Id))
            .Select(j => new LiveJob(j.Id, j.Team, j.Name, j.Image, j.Gpu.Count, j.EstimatedDuration, j.SavedProgress, j.Gpu.Models,
                j.Gpu.MinMemoryGb, j.CheckpointInterval, j.SpotAllowed, j.Deadline, j.Interruptions + j.Migrations, j.Migrations > 0,
                j.Gpu.Share != null || j.Gpu.MigProfile != null))
            .ToDictionaryAsync(j => j.Id, ct);
        // Runtimes as learned from finished jobs (ADR 0008): never above the user's estimate, never below the work done.
        var runtimes = await predictions.LatestAsync(ct);
        var nodes = await db.OnPremNodes.AsNoTracking().Where(n => n.Present).OrderBy(n => n.Name).ToListAsync(ct);
        var offers = (await db.Set<Offer>().AsNoTracking().Where(o => o.Available && clouds.Names.Contains(o.Provider))
            .OrderBy(o => o.Id).ToListAsync(ct)).Where(o => clouds.Get(o.Provider).Launches(o.Region, o.Zone)).ToList();

        var onPremHolderIds = holding.Where(a => a.IsOnPrem).Select(a => a.JobId).Distinct().ToList();
        var onPremHolders = await db.Jobs.AsNoTracking().Where(j => onPremHolderIds.Contains(j.Id))
            .Select(j => new { j.Id, j.CpuCores, j.MemoryGb, j.Gpu.Share }).ToDictionaryAsync(j => j.Id, ct);
        var onPremNodes = nodes.Select(n =>
        {
            // A gang holds its share of GPUs (and the job's CPUs and memory, per member) on every member node.
            var ours = holding.Where(a => a.IsOnPrem && a.Nodes.Contains(n.Name, StringComparer.Ordinal)).ToList();
            var held = ours.Where(a => onPremHolders.ContainsKey(a.JobId)).Select(a => onPremHolders[a.JobId]).ToList();
            // A MIG allocation (its GPU model is the profile) holds a slice, and a shared one shards of a GPU (ADR 0011), not
            // whole GPUs of the node.
            var shared = ours.Where(a => onPremHolders.GetValueOrDefault(a.JobId)?.Share is not null && !MigProfiles.IsProfile(a.GpuModel))
                .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => (a, onPremHolders[a.JobId].Share!.Value)).ToList();
            var whole = ours.Where(a => !MigProfiles.IsProfile(a.GpuModel) && shared.All(s => s.a.Id != a.Id)).ToList();
            var (idle, shards) = SharedGpus(n, IdleGpus(n, whole), shared);
            return new OnPremNode(n.Name, n.GpuModel, GpuMemory(n.GpuModel), n.GpuTotal, idle, n.IsSchedulable,
                FreeOf(n.Cpus, held.Sum(j => j.CpuCores)), FreeOf(n.MemoryMb / 1024, held.Sum(j => j.MemoryGb)), MigRooms(n, ours),
                n.ShardsPerGpu, shards);
        }).ToList();
        var running = live.Where(a => a.IsOnPrem && a.State == AllocationState.Running && liveJobs.ContainsKey(a.JobId))
            .Select(a => (Allocation: a, Job: liveJobs[a.JobId]))
            .SelectMany(x =>
            {
                var end = RuntimePredictions.ExpectedEnd(runtimes, x.Job.Team, x.Job.Name, x.Job.Image, x.Job.Gpus,
                    x.Job.EstimatedDuration, x.Job.SavedProgress, x.Allocation.StartedAt ?? now, now);
                var progress = ProgressOf(x.Allocation, x.Job, end, now);
                return x.Allocation.Nodes.Select(node => new RunningOnPremJob(x.Allocation.JobId.ToString(), x.Job.Team, node,
                    x.Allocation.GpusOn(node), end, progress));
            }).ToList();
        var sharedJobShares = holding.Where(a => a.IsOnPrem && onPremHolders.GetValueOrDefault(a.JobId)?.Share is not null
                && !MigProfiles.IsProfile(a.GpuModel)).DistinctBy(a => a.JobId)
            .ToDictionary(a => a.JobId.ToString(), a => onPremHolders[a.JobId].Share!.Value, StringComparer.Ordinal);
        var gpuOf = SharedGpuOfRunningJobs(nodes, live, sharedJobShares);
        onPremNodes = [.. SharedGpuTimeline.WithTenants(onPremNodes, running, sharedJobShares, gpuOf)];
        var onPremRunning = SharedGpuTimeline.Collapse(running, sharedJobShares.Keys.ToHashSet(StringComparer.Ordinal), onPremNodes, gpuOf);
        var engine = await policies.ForEngineAsync((await rates.PerGpuHourAsync(ct)).At(now), ct);
        var book = new PolicyBook(engine.Teams, engine.Global);
        var used = live.Where(a => liveJobs.ContainsKey(a.JobId)).GroupBy(a => liveJobs[a.JobId].Team, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(a => a.Gpus), StringComparer.Ordinal);
        var shares = used.Keys.Concat(pending.Select(j => j.Team)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(t => new TeamShare(t, book.For(t).FairShareWeight, used.GetValueOrDefault(t))).ToList();
        var cloudUse = live.Where(a => !a.IsOnPrem && liveJobs.ContainsKey(a.JobId)).GroupBy(a => liveJobs[a.JobId].Team, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(a => a.Gpus), StringComparer.Ordinal);
        var stops = await db.CloudStops.AsNoTracking().ToListAsync(ct);
        var controls = new CloudControls(stops.FirstOrDefault(s => s.Scope == CloudStop.AllScope)?.Reason,
            stops.Where(s => s.Scope != CloudStop.AllScope).ToDictionary(s => s.Scope, s => s.Reason, StringComparer.Ordinal),
            engine.MaxCloudGpusGlobal, cloudUse);

        // Budgets as committed now (spent plus reserved); the round re-checks each reservation under the period's row lock.
        var teamBudgets = await budgets.ForPlacementAsync(now, ct);
        var cloudJobs = await CloudJobsAsync(live, runtimes, now, ct);
        return new PlacementSnapshot(now, [.. pending.Select(j => ToPending(j, runtimes, strikes[j.Id], requeued.GetValueOrDefault(j.Id)))], onPremNodes, [.. onPremRunning], [.. offers.Select(ToCloudOffer)],
            engine.Teams, engine.Global, teamBudgets, shares, Controls: controls, CloudJobs: cloudJobs);
    }

    /// <summary>
    /// The running single-instance cloud segments of jobs that checkpoint or accept interruption (spot allowed), as the rule
    /// that moves them back on-prem sees them (ADR 0009, amendment): the work since the segment started, rounded down to the
    /// checkpoint interval, is kept and the rest is rework; without checkpoints all of it is rework (the job restarts). What is
    /// left is the job's planned runtime (as a pending job's) minus all the work done. Cloud gangs, shared and MIG jobs are
    /// not offered (the rule moves whole GPUs of one instance).
    /// </summary>
    private async Task<List<RunningCloudJob>> CloudJobsAsync(IReadOnlyList<Allocation> live, RuntimeStatistics runtimes, DateTimeOffset now,
        CancellationToken ct)
    {
        var segments = live.Where(a => a is { IsOnPrem: false, IsCloudGang: false, State: AllocationState.Running, StartedAt: not null })
            .ToDictionary(a => a.JobId);
        if (segments.Count == 0)
        {
            return [];
        }
        var ids = segments.Keys.ToList();
        var jobs = await db.Jobs.AsNoTracking()
            .Where(j => ids.Contains(j.Id) && j.State == JobState.Running
                && ((j.CheckpointInterval != null && j.CheckpointInterval > TimeSpan.Zero) || j.SpotAllowed)
                && j.Gpu.Share == null && j.Gpu.MigProfile == null)
            .OrderBy(j => j.Seq).ToListAsync(ct);
        return [.. jobs.Select(j => ToRunningCloud(j, segments[j.Id], runtimes, now))];
    }

    /// <summary>
    /// Idle GPUs of a node, never more than are really free. Slurm's count is as old as the last inventory sync, so Broker's
    /// own holdings that Slurm could not have counted then (not yet running, or started after the sync) are added to it;
    /// and whatever Slurm says, the node has at most what Broker itself holds subtracted (a releasing job may still run).
    /// </summary>
    private static int IdleGpus(OnPremNodeRecord node, IReadOnlyList<Allocation> ours)
    {
        var unseenBySlurm = ours.Where(a => a.State is AllocationState.Requested or AllocationState.Provisioning
            || (a.State == AllocationState.Running && a.StartedAt > node.LastSeenAt)).Sum(a => a.GpusOn(node.Name));
        var used = Math.Max(node.GpuUsed + unseenBySlurm, ours.Sum(a => a.GpusOn(node.Name)));
        return Math.Max(0, node.GpuTotal - used);
    }

    /// <summary>
    /// The node's shared GPUs: the shards in use per GPU as the last sync read them from Slurm's running jobs, plus Broker's
    /// shared allocations Slurm could not have counted then, packed by the rule Slurm follows (<see cref="SharePacking"/>).
    /// Every shared GPU leaves the idle whole GPUs.
    /// </summary>
    private static (int Idle, List<int> Shards) SharedGpus(OnPremNodeRecord node, int idle, IReadOnlyList<(Allocation A, decimal Share)> shared)
    {
        var perGpu = node.ShardsPerGpu;
        var shards = (node.ShardsInUse ?? []).ToList();
        idle = Math.Max(0, idle - shards.Count);
        if (perGpu <= 0)
        {
            return (idle, shards);
        }
        foreach (var (a, share) in shared.Where(s => s.A.State is AllocationState.Requested or AllocationState.Provisioning
            || (s.A.State == AllocationState.Running && s.A.StartedAt > node.LastSeenAt)))
        {
            var room = new ShareableNode(node.Name, node.GpuModel, 0, node.GpuTotal, Math.Max(0, node.GpuTotal - idle - shards.Count), perGpu, shards);
            if (share <= 0m || share >= 1m || SharePacking.Choose([room], share, [], 0) is not { } placed)
            {
                continue;
            }
            idle = placed.OpensFreshGpu ? Math.Max(0, idle - 1) : idle;
            shards = [.. SharePacking.After(room, placed).ShardsUsedOnSharedGpus];
        }
        return (idle, shards);
    }

    /// <summary>
    /// The shared GPU (index into the node's shards in use) of each running shared job whose GPU the last sync read from Slurm.
    /// Slurm never moves a running job to another GPU, so a position read while the job ran still holds; one read before the job
    /// was requeued belongs to another allocation id and is not found.
    /// </summary>
    private static Dictionary<string, int> SharedGpuOfRunningJobs(IReadOnlyList<OnPremNodeRecord> nodes, IReadOnlyList<Allocation> live,
        IReadOnlyDictionary<string, decimal> sharedJobShares)
    {
        var gpuOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var runningShared = live.Where(a => a.IsOnPrem && a.State == AllocationState.Running && sharedJobShares.ContainsKey(a.JobId.ToString()))
            .ToDictionary(a => a.Id);
        foreach (var node in nodes.Where(n => n.ShardHolders is { Count: > 0 }))
        {
            foreach (var (allocationId, gpu) in node.SharedGpuOfAllocations())
            {
                if (runningShared.TryGetValue(allocationId, out var a) && a.Nodes.Contains(node.Name, StringComparer.Ordinal))
                {
                    gpuOf[a.JobId.ToString()] = gpu;
                }
            }
        }
        return gpuOf;
    }

    /// <summary>
    /// Free MIG slices per profile: the synced totals less what Slurm used then, and less Broker's own MIG allocations on the
    /// node that Slurm could not have counted (the same rule as <see cref="IdleGpus"/>). Null for a node without MIG.
    /// </summary>
    private static List<MigRoom>? MigRooms(OnPremNodeRecord node, IReadOnlyList<Allocation> ours)
    {
        if (node.MigSlices is not { Count: > 0 } slices)
        {
            return null;
        }
        var rooms = new List<MigRoom>();
        foreach (var parts in slices.Select(s => s.Split(':')))
        {
            if (parts.Length != 3 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var total)
                || !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var used))
            {
                continue;
            }
            var mine = ours.Where(a => string.Equals(a.GpuModel, parts[0], StringComparison.OrdinalIgnoreCase)).ToList();
            var unseen = mine.Count(a => a.State is AllocationState.Requested or AllocationState.Provisioning
                || (a.State == AllocationState.Running && a.StartedAt > node.LastSeenAt));
            rooms.Add(new MigRoom(parts[0], total, Math.Max(0, total - Math.Max(used + unseen, mine.Count))));
        }
        return rooms;
    }

    /// <summary>
    /// What is left of a node's CPUs or memory (slurmrestd's totals) after the jobs Broker holds there; unknown (0) totals
    /// never rule a node out.
    /// </summary>
    private static int FreeOf(int total, int heldByBroker) => total <= 0 ? int.MaxValue : Math.Max(0, total - heldByBroker);

    private CloudOffer ToCloudOffer(Offer o) => new(o.Provider, o.Region, o.Zone, o.InstanceType, o.GpuModel, o.GpuCount,
        (int)(o.GpuMemoryGb ?? GpuMemory(o.GpuModel)), o.OnDemandPerHour, o.SpotPerHour, o.SpotInterruptionPerHour,
        unavailable.Find(new OfferKey(o.Provider, o.Region, o.Zone, o.InstanceType, CapacityType.OnDemand))?.Reason,
        unavailable.Find(new OfferKey(o.Provider, o.Region, o.Zone, o.InstanceType, CapacityType.Spot))?.Reason,
        o.VCpus > 0 ? o.VCpus : null, o.MemoryGb > 0 ? o.MemoryGb : null);

    /// <summary>
    /// From the pending jobs' earlier allocations, in one read (shared state: whichever replica runs the pass sees the same
    /// history): each job's spot interruptions and spot launches refused for capacity, and when each job that has run
    /// before went back to the queue, the end of its latest closed allocation that started (an interrupted or lost run);
    /// the max wait counts from then (ADR 0009). Jobs that never ran have no requeue time.
    /// </summary>
    private async Task<(ILookup<Guid, SpotStrike> Strikes, Dictionary<Guid, DateTimeOffset?> RequeuedAt)> HistoryAsync(
        List<Guid> jobIds, CancellationToken ct)
    {
        var rows = await db.Allocations.AsNoTracking()
            .Where(a => jobIds.Contains(a.JobId)
                && ((a.Market == CapacityType.Spot && (a.End == AllocationEnd.Interrupted || a.End == AllocationEnd.NoCapacity))
                    || (a.State == AllocationState.Closed && a.StartedAt != null && a.EndedAt != null)))
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new { a.JobId, a.Market, a.Provider, a.Region, a.Zone, a.End, a.State, a.StartedAt, a.EndedAt }).ToListAsync(ct);
        var strikes = rows.Where(r => r.Market == CapacityType.Spot && r.End is AllocationEnd.Interrupted or AllocationEnd.NoCapacity)
            .ToLookup(r => r.JobId, r => new SpotStrike(r.Provider, r.Region ?? "", r.Zone,
                r.End == AllocationEnd.Interrupted ? SpotStrikeKind.Interrupted : SpotStrikeKind.FailedLaunch));
        var requeuedAt = rows.Where(r => r.State == AllocationState.Closed && r.StartedAt != null && r.EndedAt != null)
            .GroupBy(r => r.JobId).ToDictionary(g => g.Key, g => g.Max(r => r.EndedAt));
        return (strikes, requeuedAt);
    }

    /// <summary>The job as the engine sees it; a team with no on-prem user mapping gets no on-prem option, and says why.</summary>
    private PendingJob ToPending(Job j, RuntimeStatistics runtimes, IEnumerable<SpotStrike> strikes, DateTimeOffset? requeuedAt) => new(j.Id.ToString(), j.Team,
        j.Gpu.Count, j.Gpu.Models, Math.Max(j.Gpu.MinMemoryGb ?? 0, MigProfiles.MemoryGb(j.Gpu.MigProfile)),
        RuntimePredictions.Planned(runtimes, j.Team, j.Name, j.Image, j.Gpu.Count, j.EstimatedDuration, j.SavedProgress),
        j.Deadline, j.Priority, j.SpotAllowed, j.CheckpointInterval, j.MaxPricePerGpuHour, j.SubmittedAt,
        j.Attempts, j.Interruptions, j.SavedProgress, tenancy.RefusalFor(j.Team), [.. strikes],
        GpuShare: j.Gpu.Share, CpuCores: j.CpuCores, MemoryGb: j.MemoryGb, MigProfile: j.Gpu.MigProfile, RequeuedAt: requeuedAt);

    /// <summary>GPU memory by model (the catalog's nominal table), for nodes and offers whose source does not say it.</summary>
    private static int GpuMemory(string model) => (int)(SeedGpu.NominalMemory(model) ?? 12);
}
