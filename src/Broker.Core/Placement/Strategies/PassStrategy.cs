namespace Broker.Core.Placement.Strategies;

/// <summary>One pass: take jobs in the strategy's order and decide each against the shared pass state.</summary>
public abstract class PassStrategy : IPlacementStrategy
{
    public abstract string Name { get; }

    public PlacementPlan Place(PlacementSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var pass = new PlacementPass(snapshot);
        var order = CreateOrder(snapshot, pass);
        var decisions = new List<PlacementDecision>(snapshot.PendingJobs.Count);
        while (order.TryNext(out var job))
        {
            var decision = job.Gpus < 1
                ? new WaitDecision(job.JobId, WaitReason.Policy, pass.NextLook, null,
                    new Explanation($"invalid request: {job.Gpus} GPUs", []))
                : Decide(pass, job);
            decisions.Add(decision);
            order.Done(job, decision switch
            {
                OnPremDecision onPrem => onPrem.Gpus,
                CloudDecision => job.Gpus,
                _ => 0,
            });
        }
        Revise(pass, snapshot, decisions);
        decisions.AddRange(AfterPendingJobs(pass, snapshot));
        return new PlacementPlan(Name, snapshot.Now, decisions);
    }

    /// <summary>Changes decisions once every pending job had its turn (on what the queue left); none by default.</summary>
    private protected virtual void Revise(PlacementPass pass, PlacementSnapshot snapshot, List<PlacementDecision> decisions)
    {
    }

    /// <summary>Decisions about running jobs, made once every pending job had its turn; none by default.</summary>
    private protected virtual IEnumerable<PlacementDecision> AfterPendingJobs(PlacementPass pass, PlacementSnapshot snapshot) => [];

    private protected abstract IJobOrder CreateOrder(PlacementSnapshot snapshot, PlacementPass pass);

    /// <summary>Whether the strategy takes jobs in fair-share order; it words why on-prem is not now.</summary>
    private protected virtual bool OrdersByFairShare => false;

    /// <summary>The opening every strategy shares: an idle on-prem node that fits wins; otherwise the strategy decides,
    /// given the on-prem start estimate and why on-prem is not now.</summary>
    private PlacementDecision Decide(PlacementPass pass, PendingJob job)
    {
        var pools = pass.OnPrem.PoolsFor(job);
        if (OnPremSteps.PlaceNow(pass, job, pools) is { } placed)
        {
            return placed;
        }
        var estimate = pass.OnPrem.EstimateStart(job, pools);
        var notNow = OnPremSteps.NotNow(pass, job, pools, estimate, OrdersByFairShare);
        return DecideWithoutIdleNode(pass, job, estimate, notNow);
    }

    private protected abstract PlacementDecision DecideWithoutIdleNode(PlacementPass pass, PendingJob job,
        (DateTimeOffset Start, NodeSlots Node)? estimate, RejectedOption notNow);
}
