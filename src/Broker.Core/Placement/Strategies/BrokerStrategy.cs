using Broker.Core.Capacity;
using Broker.Core.Policies;

namespace Broker.Core.Placement.Strategies;

/// <summary>
/// Everything in design §3: urgent deadlines first, then fair share and priority order; idle on-prem first (best-fit gang);
/// wait for on-prem while <see cref="WaitOrBurst"/> says waiting is acceptable (max wait, max slowdown, price of waiting,
/// deadline); otherwise the cloud option of least expected cost (spot rework and boot included), with deadline jobs kept
/// on the Uniform Progress line, spot escalated away from markets that keep failing the job; price caps and budgets respected. After the queue,
/// cloud jobs that checkpoint or accept interruption move back on-prem onto GPUs left idle when the move pays for its rework (ADR 0009, amendments).
/// Then a job the pass sent to the cloud starts on-prem instead when moving a few running jobs onto GPUs the queue left idle
/// frees a node for it and the cloud cost avoided is at least twice the moves' rework (<see cref="NodeFreeing"/>).
/// </summary>
public sealed class BrokerStrategy : PassStrategy
{
    private static readonly CloudRules Rules = new(UseSpot: true, RankByExpectedCost: true, DeadlineAware: true, Escalate: true);

    public override string Name => PlacementStrategies.Broker;

    private protected override bool OrdersByFairShare => true;

    private protected override IJobOrder CreateOrder(PlacementSnapshot snapshot, PlacementPass pass) =>
        new FairShareOrder(snapshot.PendingJobs, snapshot.Shares, snapshot.Now, pass.Options.Urgency);

    /// <summary>Checkpointing cloud jobs move back on-prem onto GPUs the queue left idle (<see cref="MigrationSteps"/>).</summary>
    private protected override IEnumerable<PlacementDecision> AfterPendingJobs(PlacementPass pass, PlacementSnapshot snapshot) =>
        MigrationSteps.Decide(pass, snapshot.CloudJobs);

    /// <summary>Jobs sent to the cloud start on-prem instead where moving running jobs frees a node with GPUs the queue left idle
    /// (<see cref="NodeFreeing"/>).</summary>
    private protected override void Revise(PlacementPass pass, PlacementSnapshot snapshot, List<PlacementDecision> decisions) =>
        NodeFreeing.Revise(pass, snapshot.PendingJobs, decisions);

    private protected override PlacementDecision DecideWithoutIdleNode(PlacementPass pass, PendingJob job,
        (DateTimeOffset Start, NodeSlots Node)? estimate, RejectedOption notNow)
    {
        var policy = pass.Policies.For(job.Team);
        if (!policy.AllowBurst || pass.Controls.BurstingStopped is not null)
        {
            return CloudSteps.BurstNotAllowed(pass, job, notNow, estimate);
        }
        var result = pass.Cloud.Search(job, policy, Rules);
        string? why = null;
        if (estimate is { } e)
        {
            // The runtime the rule weighs the wait against: the job's own estimate today (a learned prediction later).
            var runtime = job.EstimatedDuration;
            var verdict = WaitOrBurst.Judge(job, policy, runtime, e.Start, pass.Now, ExtraCloudCost(job, policy, result));
            if (verdict.Wait)
            {
                return WaitForOnPrem(pass, job, result, notNow, e, verdict);
            }
            why = verdict.Words;
        }
        if (result.Best is null)
        {
            return CloudSteps.NoCloud(pass, job, result, notNow, estimate);
        }
        if (ShouldIdleForSpot(pass, job, policy, result))
        {
            return IdleForSpot(pass, job, result, notNow, estimate);
        }
        return CloudSteps.LaunchLeastCost(pass, job, result, notNow, why ?? OnPremSteps.NoNode(job));
    }

    /// <summary>What the best cloud option costs beyond the on-prem charge for the same work (a shared job's on-prem charge is
    /// its share); null when there is none.</summary>
    private static decimal? ExtraCloudCost(PendingJob job, BurstPolicy policy, CloudSearchResult result) =>
        result.Best is { } best
            ? best.ExpectedCost - policy.OnPremRatePerGpuHour * job.GpusCharged * (decimal)job.RemainingWork.TotalHours
            : null;

    /// <summary>
    /// Queues the job for on-prem. It is looked at again when on-prem is expected, and in any case exactly when its wait limit
    /// runs out (<see cref="WaitDecision.LimitAt"/>: if the estimate slipped, that pass bursts it); a job held by the price of
    /// waiting has no limit and is looked at every pass.
    /// </summary>
    private static WaitDecision WaitForOnPrem(PlacementPass pass, PendingJob job, CloudSearchResult result, RejectedOption notNow,
        (DateTimeOffset Start, NodeSlots Node) estimate, WaitVerdict verdict)
    {
        var start = OnPremSteps.Queue(pass, job, estimate)!.Value;
        var priced = verdict.Term == WaitTerm.WaitPrice;
        var cloud = result.Best is { } best
            ? new RejectedOption(pass.OfferText.Of(best), priced ? RejectionReason.Price : RejectionReason.OnPremSoon, verdict.Words, best.ExpectedCost)
            : new RejectedOption("cloud", result.LeadingRejection ?? RejectionReason.Capacity, "no cloud option allowed");
        var reason = priced ? WaitReason.Price : WaitReason.OnPremSoon;
        var chosen = $"wait ({reason.Code()}): on-prem expected on {estimate.Node.Node.Name} in {UniformProgress.Short(start - pass.Now)}; {verdict.Words}";
        var retry = verdict.LimitAt is { } limit && limit < start ? limit : priced && pass.NextLook < start ? pass.NextLook : start;
        return new WaitDecision(job.JobId, reason, OnPremSteps.Later(pass, retry), start,
            new Explanation(chosen, result.Explain([notNow, cloud], pass.Options.ExplainTopRejected - 1)), verdict.LimitAt);
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
        var onDemand = new RejectedOption(pass.OfferText.Of(best), RejectionReason.BlockedOffer,
            "spot is blocked but progress is ahead of the uniform-progress line; waiting for spot", best.ExpectedCost);
        return new WaitDecision(job.JobId, WaitReason.BlockedOffer, pass.NextLook, start,
            new Explanation("wait (blocked): spot unavailable, deadline still safe (Uniform Progress)", result.Explain([notNow, onDemand])));
    }
}
