namespace Broker.Core.Placement;

/// <summary>The shared-GPU side of the on-prem planner (ADR 0011): shares placed now, their wait estimates and queueing.</summary>
internal sealed partial class OnPremPlanner
{
    /// <summary>
    /// A shared job now (<see cref="SharePacking"/>): among the acceptable nodes with shards and its CPUs and memory free, onto a
    /// GPU already shared (best fit over shares, counting tenants queued there later in this pass), else a fresh idle GPU, which
    /// then leaves the whole-GPU timeline until the job's expected end. Null when no GPU has room.
    /// </summary>
    public (NodeSlots Node, SharePlacement At)? TryPlaceShare(int[] jobPools, decimal share, TimeSpan duration, int cpus = 0, int memoryGb = 0)
    {
        var end = now + Math.Max(1, duration.Ticks);
        var candidates = Shardable(jobPools).Where(n => freeCpus[n.Index] >= cpus && freeMemoryGb[n.Index] >= memoryGb)
            .Select(n => (Slots: n, Open: sharedGpus[n.Index].Where(g => g.OpenNow).ToList())).ToList();
        var rooms = candidates.Select(c => new ShareableNode(c.Slots.Node.Name, c.Slots.Node.GpuModel, c.Slots.Node.GpuMemoryGb, c.Slots.Total,
            Math.Max(0, c.Slots.Total - c.Slots.FreeAt(now) - c.Open.Count), c.Slots.Node.ShardsPerGpu,
            [.. c.Open.Select(g => g.UnknownShards > 0 || end <= g.WholeFreeAt || c.Slots.HasSlotFreeingAt(g.WholeFreeAt)
                ? g.PeakUsage(now, end) : g.ShardsPerGpu)])).ToList();
        if (SharePacking.Choose(rooms, share, [], 0) is not { } placement)
        {
            return null;
        }
        var (chosen, open) = candidates.First(c => c.Slots.Node.Name == placement.Node);
        var tenancy = new Tenancy(placement.Shards, now, end);
        if (placement.OpensFreshGpu)
        {
            chosen.PlaceNow(1, now, end);
            Reindex(chosen);
            var fresh = new SharedGpuPlan(chosen.Node.ShardsPerGpu, 0, openNow: true, now, end);
            fresh.Add(tenancy);
            sharedGpus[chosen.Index].Add(fresh);
        }
        else
        {
            Join(chosen, open[placement.SharedGpu], tenancy);
        }
        freeCpus[chosen.Index] = Math.Max(0, freeCpus[chosen.Index] - Math.Max(0, cpus));
        freeMemoryGb[chosen.Index] = Math.Max(0, freeMemoryGb[chosen.Index] - Math.Max(0, memoryGb));
        return (chosen, placement);
    }

    /// <summary>
    /// The planned start for the job on any acceptable node, or null when no node can ever take it. A shared job is estimated
    /// only on nodes whose GPUs can be shared (where it can be placed), at the earliest of enough shards freeing on a GPU
    /// already shared (or queued to be) and a whole GPU freeing; the choice is kept for <see cref="Reserve(PendingJob, NodeSlots)"/>.
    /// </summary>
    public (DateTimeOffset Start, NodeSlots Node)? EstimateStart(PendingJob job, int[] jobPools)
    {
        if (job.GpuShare is not { } share)
        {
            return EstimateStart(jobPools, job.Gpus);
        }
        shareEstimates.Remove(job.JobId);
        if (EstimateShare(jobPools, share, Math.Max(1, job.RemainingWork.Ticks)) is not { } estimate)
        {
            return null;
        }
        shareEstimates[job.JobId] = estimate;
        return (new DateTimeOffset(estimate.Start, TimeSpan.Zero), nodes[estimate.Node]);
    }

    /// <summary>Queues the job where its estimate planned it (a shared job on its shared or fresh GPU).</summary>
    public void Reserve(PendingJob job, NodeSlots node)
    {
        if (job.GpuShare is null || !shareEstimates.Remove(job.JobId, out var estimate))
        {
            Reserve(node, job.Gpus, job.RemainingWork);
            return;
        }
        var chosen = nodes[estimate.Node];
        var tenancy = new Tenancy(estimate.Shards, estimate.Start, estimate.Start + estimate.Duration);
        if (estimate.Gpu is { } gpu)
        {
            Join(chosen, gpu, tenancy);
            return;
        }
        chosen.Reserve(1, now, estimate.Duration);
        Reindex(chosen);
        var opened = new SharedGpuPlan(chosen.Node.ShardsPerGpu, 0, openNow: false, estimate.Start, tenancy.End);
        opened.Add(tenancy);
        sharedGpus[chosen.Index].Add(opened);
    }

    private IEnumerable<NodeSlots> Shardable(int[] jobPools) => nodes.Where(n => n.Node.ShardsPerGpu > 0 && jobPools.Contains(n.Pool));

    private ShareEstimate? EstimateShare(int[] jobPools, decimal share, long duration)
    {
        ShareEstimate? best = null;
        (long Start, int Fresh, decimal Leftover, int Node) bestKey = (long.MaxValue, 0, 0m, 0);
        foreach (var node in Shardable(jobPools))
        {
            var perGpu = node.Node.ShardsPerGpu;
            var shards = SharePacking.ShardsFor(share, perGpu);
            foreach (var gpu in sharedGpus[node.Index])
            {
                if (gpu.EarliestFit(shards, now, duration, node.HasSlotFreeingAt(gpu.WholeFreeAt)) is { } start)
                {
                    // Best fit over shares among equal starts: the GPU left with the least of a GPU free (not the fewest shards).
                    Consider((start, 0, SharePacking.LeftoverOfAGpu(perGpu - gpu.PeakUsage(start, start + duration) - shards, perGpu), node.Index),
                        gpu, shards);
                }
            }
            Consider((Math.Max(now, node.KthFree(1)), 1, 0m, node.Index), null, shards);
        }
        return best;

        void Consider((long, int, decimal, int) key, SharedGpuPlan? gpu, int shards)
        {
            if (key.CompareTo(bestKey) < 0)
            {
                bestKey = key;
                best = new ShareEstimate(key.Item1, key.Item4, gpu, shards, duration);
            }
        }
    }

    /// <summary>A tenant joins a shared GPU; if it outlasts the GPU's other tenants, the node's whole-GPU timeline frees it later.</summary>
    private void Join(NodeSlots node, SharedGpuPlan gpu, Tenancy tenancy)
    {
        gpu.Add(tenancy);
        if (gpu.UnknownShards == 0 && tenancy.End > gpu.WholeFreeAt)
        {
            var from = gpu.WholeFreeAt;
            node.Extend(from, tenancy.End);
            Reindex(node);
            gpu.WholeFreeAt = tenancy.End;
        }
    }

    /// <summary>
    /// The node's shared GPUs at the start of the pass. A GPU whose tenants are all known (their shards add up to the shards in
    /// use) plans with their ends; otherwise its shards are held until it frees whole, as the whole-GPU timeline has it.
    /// </summary>
    private List<SharedGpuPlan> SharedGpusOf(OnPremNode node, PlacementOptions options)
    {
        var used = node.SharedGpuShards ?? [];
        var plans = new List<SharedGpuPlan>(used.Count);
        for (var g = 0; g < used.Count; g++)
        {
            var known = (node.TenantsExplaining(g) ?? [])
                .Select(t => new Tenancy(t.Shards, now, t.ExpectedEnd.UtcTicks > now ? t.ExpectedEnd.UtcTicks : now + options.RecheckInterval.Ticks))
                .ToList();
            var exact = known.Count > 0;
            var plan = new SharedGpuPlan(node.ShardsPerGpu, exact ? 0 : used[g], openNow: true, now, exact ? known.Max(t => t.End) : long.MaxValue);
            foreach (var tenancy in known)
            {
                plan.Add(tenancy);
            }
            plans.Add(plan);
        }
        return plans;
    }

    /// <summary>Where a shared job's estimate planned it: a GPU already shared (or queued to be), or a fresh GPU when null.</summary>
    private sealed record ShareEstimate(long Start, int Node, SharedGpuPlan? Gpu, int Shards, long Duration);
}
