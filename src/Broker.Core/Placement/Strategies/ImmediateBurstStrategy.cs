namespace Broker.Core.Placement.Strategies;

/// <summary>
/// Idle on-prem first, otherwise the cloud at once. <c>burst-ondemand</c> takes the cheapest on-demand offer;
/// <c>cheapest-first</c> takes the cheapest hourly price, spot where the job and policy allow it, and simply moves to the
/// next offer when one is blocked after an interruption (what SkyPilot and dstack do).
/// </summary>
public sealed class ImmediateBurstStrategy : PassStrategy
{
    private readonly CloudRules rules;
    private readonly string why;

    private ImmediateBurstStrategy(string name, CloudRules rules, string why)
    {
        Name = name;
        this.rules = rules;
        this.why = why;
    }

    public static ImmediateBurstStrategy BurstOnDemand() => new(PlacementStrategies.BurstOnDemand,
        new CloudRules(UseSpot: false, RankByExpectedCost: false, DeadlineAware: false), "on-prem is full; on-demand at once");

    public static ImmediateBurstStrategy CheapestFirst() => new(PlacementStrategies.CheapestFirst,
        new CloudRules(UseSpot: true, RankByExpectedCost: false, DeadlineAware: false), "on-prem is full; cheapest hourly price");

    public override string Name { get; }

    private protected override IJobOrder CreateOrder(PlacementSnapshot snapshot, PlacementPass pass) => new FifoOrder(snapshot.PendingJobs);

    private protected override PlacementDecision DecideWithoutIdleNode(PlacementPass pass, PendingJob job,
        (DateTimeOffset Start, NodeSlots Node)? estimate, RejectedOption notNow)
    {
        var policy = pass.Policies.For(job.Team);
        if (!policy.AllowBurst || pass.Controls.BurstingStopped is not null)
        {
            return CloudSteps.BurstNotAllowed(pass, job, notNow, estimate);
        }
        var result = pass.Cloud.Search(job, policy, rules);
        return result.Best is not null
            ? CloudSteps.Launch(pass, job, result, notNow, job.OnPremRefusal ?? why)
            : CloudSteps.NoCloud(pass, job, result, notNow, estimate);
    }
}
