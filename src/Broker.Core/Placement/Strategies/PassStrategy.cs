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
        return new PlacementPlan(Name, snapshot.Now, decisions);
    }

    private protected abstract IJobOrder CreateOrder(PlacementSnapshot snapshot, PlacementPass pass);

    private protected abstract PlacementDecision Decide(PlacementPass pass, PendingJob job);
}
