namespace Broker.Core.Placement;

/// <summary>
/// On-prem gangs (ADR 0012): a job larger than every node of its acceptable models runs as one Slurm job over
/// <see cref="GangShape.Members"/> nodes of ONE pool (model and memory), the same GPUs on each. Placing now takes nodes whose
/// GPUs stay idle for the whole run (best fit: fewest idle GPUs first); otherwise the gang's start is when the members-th
/// node has its share free, and it reserves exactly those nodes on the timeline from that moment: later jobs of the pass
/// (and of later passes, which rebuild the same reservation first for the older job) may only backfill gaps that end before
/// it starts, so a stream of small jobs cannot starve it.
/// </summary>
internal sealed class GangPlanning(OnPremPlanner planner, IReadOnlyList<NodeSlots> nodes, long now)
{
    /// <summary>The pool's gang shape for the job, or null when one node fits it (not a gang) or no node set does.</summary>
    public GangShape? ShapeIn(int pool, int gpus)
    {
        var sizes = nodes.Where(n => n.Pool == pool).Select(n => n.Total).ToList();
        return sizes.Count == 0 || sizes.Max() >= gpus ? null
            : GangShape.Fit(gpus, sizes, CapacityFeasibility.MaxGangMembers);
    }

    /// <summary>True when no acceptable pool has a node big enough alone, so the job can only run as a gang.</summary>
    public bool IsGang(int[] jobPools, int gpus)
    {
        foreach (var p in jobPools)
        {
            if (planner.Pool(p).MaxGpus >= gpus)
            {
                return false;
            }
        }
        return jobPools.Length > 0;
    }

    /// <summary>
    /// Starts the gang now on the best-fitting members of one pool; null when no pool has enough idle nodes. Each member
    /// also needs the job's CPU cores and memory free (they are per member, as Slurm's <c>--cpus-per-task</c>/<c>--mem</c>).
    /// </summary>
    public (GangShape Shape, IReadOnlyList<NodeSlots> Members)? TryPlaceNow(int[] jobPools, int gpus, TimeSpan duration, int cpus = 0, int memoryGb = 0)
    {
        var end = now + Math.Max(1, duration.Ticks);
        (int Leftover, int Pool, GangShape Shape, List<NodeSlots> Members)? best = null;
        foreach (var p in jobPools)
        {
            if (ShapeIn(p, gpus) is not { } shape)
            {
                continue;
            }
            var members = nodes.Where(n => n.Pool == p && n.KthAvailable(shape.GpusPerMember, now) >= end && planner.HasFree(n, cpus, memoryGb))
                .OrderBy(n => n.FreeAt(now)).ThenBy(n => n.Index).Take(shape.Members).ToList();
            if (members.Count < shape.Members)
            {
                continue;
            }
            var leftover = members.Sum(n => n.FreeAt(now)) - shape.Gpus;
            if (best is null || (leftover, p).CompareTo((best.Value.Leftover, best.Value.Pool)) < 0)
            {
                best = (leftover, p, shape, members);
            }
        }
        if (best is not { } chosen)
        {
            return null;
        }
        foreach (var member in chosen.Members)
        {
            planner.Change(member, n => n.PlaceNow(chosen.Shape.GpusPerMember, now, end));
            planner.Take(member, cpus, memoryGb);
        }
        return (chosen.Shape, chosen.Members);
    }

    /// <summary>The earliest planned gang start over the acceptable pools and its members; null when no pool can hold it.</summary>
    public (long Start, GangShape Shape, IReadOnlyList<NodeSlots> Members)? Estimate(int[] jobPools, int gpus)
    {
        (long Start, GangShape Shape, IReadOnlyList<NodeSlots> Members)? best = null;
        foreach (var p in jobPools)
        {
            if (EstimateIn(p, gpus) is { } candidate && (best is null || (candidate.Start, p).CompareTo((best.Value.Start, best.Value.Members[0].Pool)) < 0))
            {
                best = candidate;
            }
        }
        return best;
    }

    /// <summary>Reserves the gang's members in <paramref name="pool"/> from their common start (the estimate's nodes).</summary>
    public void Reserve(int pool, int gpus, TimeSpan duration)
    {
        if (EstimateIn(pool, gpus) is not { } plan)
        {
            return;
        }
        foreach (var member in plan.Members)
        {
            planner.Change(member, n => n.ReserveAt(plan.Shape.GpusPerMember, now, plan.Start, Math.Max(1, duration.Ticks)));
        }
    }

    private (long Start, GangShape Shape, IReadOnlyList<NodeSlots> Members)? EstimateIn(int pool, int gpus)
    {
        if (ShapeIn(pool, gpus) is not { } shape)
        {
            return null;
        }
        var members = nodes.Where(n => n.Pool == pool && n.Total >= shape.GpusPerMember)
            .OrderBy(n => n.KthFree(shape.GpusPerMember)).ThenBy(n => n.Index).Take(shape.Members).ToList();
        if (members.Count < shape.Members)
        {
            return null;
        }
        var start = Math.Max(now, members.Max(n => n.KthFree(shape.GpusPerMember)));
        return (start, shape, members);
    }
}

/// <summary>A gang placed now as one on-prem decision naming every member.</summary>
internal static class GangSteps
{
    public static OnPremDecision? PlaceNow(PlacementPass pass, PendingJob job, int[] pools)
    {
        if (pass.OnPrem.Gangs.TryPlaceNow(pools, job.Gpus, job.RemainingWork, job.CpuCores, job.MemoryGb) is not { } gang)
        {
            return null;
        }
        var names = gang.Members.Select(m => m.Node.Name).ToList();
        var rate = pass.Policies.For(job.Team).OnPremRatePerGpuHour * job.Gpus;
        var model = gang.Members[0].Node.GpuModel;
        var chosen = $"on-prem gang {string.Join("+", names)} ({gang.Shape.Members} nodes x {gang.Shape.GpusPerMember}x {model}): "
            + "no single node is big enough; whole members of one model, best-fit nodes";
        return new OnPremDecision(job.JobId, names[0], job.Gpus, model, rate, new Explanation(chosen, []), names);
    }
}
