namespace Broker.Core.Placement.Strategies;

/// <summary>The status quo: FIFO on the on-prem cluster with (conservative) backfill; never bursts.</summary>
public sealed class OnPremOnlyStrategy : PassStrategy
{
    public override string Name => PlacementStrategies.OnPremOnly;

    private protected override IJobOrder CreateOrder(PlacementSnapshot snapshot, PlacementPass pass) => new FifoOrder(snapshot.PendingJobs);

    private protected override PlacementDecision DecideWithoutIdleNode(PlacementPass pass, PendingJob job,
        (DateTimeOffset Start, NodeSlots Node)? estimate, RejectedOption notNow)
    {
        var start = OnPremSteps.Queue(pass, job, estimate);
        var chosen = start is { } at
            ? $"wait (capacity): FIFO on-prem queue with backfill, expected start in {UniformProgress.Short(at - pass.Now)}"
            : job.OnPremRefusal is { } refusal ? $"wait (policy): {refusal}" : "wait (capacity): no on-prem node can ever fit this job";
        var reason = job.OnPremRefusal is null ? WaitReason.Capacity : WaitReason.Policy;
        return new WaitDecision(job.JobId, reason, start is { } s ? OnPremSteps.Later(pass, s) : DateTimeOffset.MaxValue, start,
            new Explanation(chosen, [notNow, new RejectedOption("cloud", RejectionReason.Policy, "strategy onprem-only never bursts")]));
    }
}
