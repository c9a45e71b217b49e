using System.Runtime.InteropServices;

namespace Broker.Core.Placement;

/// <summary>The on-prem moves every strategy shares: place on idle GPUs now, explain why not, queue on the timeline.</summary>
internal static class OnPremSteps
{
    public static OnPremDecision? PlaceNow(PlacementPass pass, PendingJob job, int[] pools)
    {
        if (job.MigProfile is { } profile)
        {
            return MigSteps.PlaceNow(pass, job, profile);
        }
        if (job.GpuShare is { } share)
        {
            return ShareSteps.PlaceNow(pass, job, pools, share);
        }
        if (pass.OnPrem.Gangs.IsGang(pools, job.Gpus))
        {
            return GangSteps.PlaceNow(pass, job, pools);
        }
        var node = pass.OnPrem.TryPlaceNow(pools, job.Gpus, job.RemainingWork, job.CpuCores, job.MemoryGb);
        if (node is null)
        {
            return null;
        }
        var rate = pass.Policies.For(job.Team).OnPremRatePerGpuHour * job.Gpus;
        var chosen = $"on-prem {node.Node.Name} ({job.Gpus}x {node.Node.GpuModel}): idle on-prem GPUs first, best-fit node";
        return new OnPremDecision(job.JobId, node.Node.Name, job.Gpus, node.Node.GpuModel, rate, new Explanation(chosen, []));
    }

    /// <summary>Why the job did not get on-prem GPUs now, with the expected start when there is one.</summary>
    public static RejectedOption NotNow(PlacementPass pass, PendingJob job, int[] pools,
        (DateTimeOffset Start, NodeSlots Node)? estimate, bool orderedByFairShare)
    {
        if (job.OnPremRefusal is { } refusal)
        {
            return new RejectedOption("on-prem", RejectionReason.Policy, refusal);
        }
        if (job.MigProfile is { } profile)
        {
            return MigSteps.NotNow(pass, profile);
        }
        if (estimate is not { } e)
        {
            return new RejectedOption("on-prem", RejectionReason.Capacity, job.GpuShare is null
                ? $"no schedulable node of an acceptable model has {job.Gpus} GPUs"
                : "no schedulable node of an acceptable model can share a GPU (no gres/shard)");
        }
        var kind = !pass.OnPrem.FitsInitially(pools, job.Gpus) ? NotNowKind.NoIdleNode
            : orderedByFairShare ? NotNowKind.Fairness : NotNowKind.EarlierJobs;
        // Every job that loses idle GPUs the same way and is expected on the same node at the same moment gets the same
        // words; one pass has many of them, so each distinct option is worded once.
        var key = (kind, kind == NotNowKind.NoIdleNode ? job.Gpus : 0, e.Node.Index, e.Start.UtcTicks);
        ref var option = ref CollectionsMarshal.GetValueRefOrAddDefault(pass.NotNowWords, key, out _);
        return option ??= NotNowOption(kind, job.Gpus, e.Node.Node.Name, UniformProgress.Short(e.Start - pass.Now));
    }

    private static RejectedOption NotNowOption(NotNowKind kind, int gpus, string node, ShortDuration until) => kind switch
    {
        NotNowKind.Fairness => new RejectedOption("on-prem now", RejectionReason.Fairness,
            $"idle GPUs went to teams further below their fair share or to higher priorities; expected on {node} in {until}"),
        NotNowKind.EarlierJobs => new RejectedOption("on-prem now", RejectionReason.Capacity,
            $"idle GPUs went to earlier jobs; expected on {node} in {until}"),
        _ => new RejectedOption("on-prem now", RejectionReason.Capacity, $"no acceptable node has {gpus} idle GPUs; expected on {node} in {until}"),
    };

    /// <summary>Puts the job in the on-prem queue (the timeline later jobs estimate against); returns its planned start.</summary>
    public static DateTimeOffset? Queue(PlacementPass pass, PendingJob job, (DateTimeOffset Start, NodeSlots Node)? estimate)
    {
        if (estimate is not { } e)
        {
            return null;
        }
        pass.OnPrem.Reserve(job, e.Node);
        return e.Start;
    }

    /// <summary>"no on-prem node fits" in words, or the reason the job may not run on-prem at all.</summary>
    public static string NoNode(PendingJob job) => job.OnPremRefusal ?? "no on-prem node fits";

    public static DateTimeOffset Later(PlacementPass pass, DateTimeOffset at) =>
        at > pass.Now ? at : pass.Now + TimeSpan.FromSeconds(1);
}

/// <summary>Why a job with an on-prem estimate did not get idle GPUs now.</summary>
internal enum NotNowKind
{
    Fairness,
    EarlierJobs,
    NoIdleNode,
}
