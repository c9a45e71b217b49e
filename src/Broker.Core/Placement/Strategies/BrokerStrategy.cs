using Broker.Core.Capacity;
using Broker.Core.Policies;

namespace Broker.Core.Placement.Strategies;

/// <summary>
/// Everything in design §3: urgent deadlines first, then fair share and priority order; idle on-prem first (best-fit gang); wait for on-prem while
/// the estimated start (queue ahead plus running jobs' ends) keeps the job within the policy's maximum wait and its
/// deadline; otherwise the cloud option of least expected cost (spot rework and boot included), with deadline jobs kept
/// on the Uniform Progress line; price caps and budgets respected.
/// </summary>
public sealed class BrokerStrategy : PassStrategy
{
    private static readonly CloudRules Rules = new(UseSpot: true, RankByExpectedCost: true, DeadlineAware: true);

    public override string Name => PlacementStrategies.Broker;

    private protected override IJobOrder CreateOrder(PlacementSnapshot snapshot, PlacementPass pass) =>
        new FairShareOrder(snapshot.PendingJobs, snapshot.Shares, snapshot.Now, pass.Options.Urgency);

    private protected override PlacementDecision Decide(PlacementPass pass, PendingJob job)
    {
        var pools = pass.OnPrem.PoolsFor(job);
        if (OnPremSteps.PlaceNow(pass, job, pools) is { } placed)
        {
            return placed;
        }
        var estimate = pass.OnPrem.EstimateStart(pools, job.Gpus);
        var notNow = OnPremSteps.NotNow(pass, job, pools, estimate, orderedByFairShare: true);
        var policy = pass.Policies.For(job.Team);
        if (!policy.AllowBurst || pass.Controls.BurstingStopped is not null)
        {
            return CloudSteps.BurstNotAllowed(pass, job, notNow, estimate);
        }
        var result = pass.Cloud.Search(job, policy, Rules);
        if (estimate is { } e && OnPremInTime(job, policy, e.Start) is { } deadlineForLook)
        {
            return WaitForOnPrem(pass, job, result, notNow, e, policy, deadlineForLook);
        }
        if (result.Best is null)
        {
            return CloudSteps.NoCloud(pass, job, result, notNow, estimate);
        }
        if (ShouldIdleForSpot(pass, job, policy, result))
        {
            return IdleForSpot(pass, job, result, notNow, estimate);
        }
        return CloudSteps.Launch(pass, job, result, notNow, Why(job, policy, estimate, pass.Now));
    }

    /// <summary>The latest moment to look again when waiting for on-prem is acceptable, or null when it is not.</summary>
    private static DateTimeOffset? OnPremInTime(PendingJob job, BurstPolicy policy, DateTimeOffset start)
    {
        var burstBy = job.SubmittedAt + policy.MaxWaitBeforeBurst;
        if (start > burstBy)
        {
            return null;
        }
        if (job.Deadline is { } deadline)
        {
            var latestStart = deadline - job.RemainingWork;
            return start <= latestStart ? Min(burstBy, latestStart) : null;
        }
        return burstBy;
    }

    private static WaitDecision WaitForOnPrem(PlacementPass pass, PendingJob job, CloudSearchResult result, RejectedOption notNow,
        (DateTimeOffset Start, NodeSlots Node) estimate, BurstPolicy policy, DateTimeOffset lookBy)
    {
        var start = OnPremSteps.Queue(pass, job, estimate)!.Value;
        var inWords = UniformProgress.Format(start - pass.Now);
        var cloud = result.Best is { } best
            ? new RejectedOption(best.Describe(), RejectionReason.OnPremSoon,
                $"on-prem expected in {inWords}, within the {UniformProgress.Format(policy.MaxWaitBeforeBurst)} max wait", best.ExpectedCost)
            : new RejectedOption("cloud", result.LeadingRejection ?? RejectionReason.Capacity, "no cloud option allowed");
        var chosen = $"wait (onprem-soon): on-prem expected on {estimate.Node.Node.Name} in {inWords}";
        return new WaitDecision(job.JobId, WaitReason.OnPremSoon, OnPremSteps.Later(pass, Min(start, lookBy)), start,
            new Explanation(chosen, [notNow, cloud, .. result.Explain().Take(pass.Options.ExplainTopRejected - 1)]));
    }

    /// <summary>
    /// Uniform Progress: a deadline job whose spot options are only blocked (not too risky) and whose progress is ahead
    /// of the uniform line waits for spot instead of paying on-demand.
    /// </summary>
    private static bool ShouldIdleForSpot(PlacementPass pass, PendingJob job, BurstPolicy policy, CloudSearchResult result) =>
        job.Deadline is not null && result.Best is { Market: CapacityType.OnDemand } && job.SpotAllowed && policy.AllowSpot
        && result.BlockedSpotSeen && !result.RiskySpotSeen && !UniformProgress.IsBehind(job, pass.Now + pass.Options.RecheckInterval);

    private static WaitDecision IdleForSpot(PlacementPass pass, PendingJob job, CloudSearchResult result, RejectedOption notNow,
        (DateTimeOffset Start, NodeSlots Node)? estimate)
    {
        var start = OnPremSteps.Queue(pass, job, estimate);
        var best = result.Best!.Value;
        var onDemand = new RejectedOption(best.Describe(), RejectionReason.BlockedOffer,
            "spot is blocked but progress is ahead of the uniform-progress line; waiting for spot", best.ExpectedCost);
        return new WaitDecision(job.JobId, WaitReason.BlockedOffer, pass.NextLook, start,
            new Explanation("wait (blocked): spot unavailable, deadline still safe (Uniform Progress)", [notNow, onDemand, .. result.Explain()]));
    }

    private static string Why(PendingJob job, BurstPolicy policy, (DateTimeOffset Start, NodeSlots Node)? estimate, DateTimeOffset now)
    {
        if (estimate is not { } e)
        {
            return $"{OnPremSteps.NoNode(job)}; least expected cost";
        }
        var wait = UniformProgress.Format(e.Start - job.SubmittedAt);
        return job.Deadline is { } d && e.Start + job.RemainingWork > d
            ? $"on-prem (start in {UniformProgress.Format(e.Start - now)}) would miss the deadline; least expected cost"
            : $"on-prem wait {wait} exceeds the {UniformProgress.Format(policy.MaxWaitBeforeBurst)} max; least expected cost";
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
