using Broker.Core.Capacity;
using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>
/// Finds the best cloud option for one job under a strategy's <see cref="CloudRules"/>, the team policy, price caps and
/// the budget, and keeps the cheapest rejected options (with why) for the explanation.
/// </summary>
internal sealed class CloudSearch(OfferIndex offers, BudgetLedger budgets, DateTimeOffset now, PlacementOptions options,
    CloudControls controls, CloudGpuLedger cloudGpus, OfferDescriptions offerText)
{
    private readonly List<OfferBucket> buckets = [];
    private readonly CloudSearchResult result = new(options.ExplainTopRejected, offerText);

    /// <summary>The best option and the explained losers; the result is reused, so it is valid until the next search.</summary>
    public CloudSearchResult Search(PendingJob job, BurstPolicy policy, CloudRules rules)
    {
        result.Reset();
        var escalation = rules.Escalate ? SpotEscalation.For(job, policy) : null;
        var context = new Context(job, policy, rules, rules.DeadlineAware
            ? UniformProgress.SpotRisk(job, now, options.CloudStartup, options.NonCheckpointReworkFraction, policy.DeadlineMargin)
            : null, PolicyBook.PriceCap(job.MaxPricePerGpuHour, policy, CapacityType.OnDemand),
            PolicyBook.PriceCap(job.MaxPricePerGpuHour, policy, CapacityType.Spot), escalation);
        result.Escalation = escalation?.Summary;
        offers.CollectBuckets(job, buckets);
        if (policy.PreferSpot && rules.UseSpot)
        {
            // Spot with on-demand fallback: on-demand is looked at only when no spot option is acceptable.
            foreach (var bucket in buckets)
            {
                Scan(context, bucket.BySpotPrice, CapacityType.Spot, result);
            }
            if (result.Best is null)
            {
                foreach (var bucket in buckets)
                {
                    Scan(context, bucket.ByOnDemandPrice, CapacityType.OnDemand, result);
                }
            }
        }
        else
        {
            foreach (var bucket in buckets)
            {
                Scan(context, bucket.ByOnDemandPrice, CapacityType.OnDemand, result);
                if (rules.UseSpot)
                {
                    Scan(context, bucket.BySpotPrice, CapacityType.Spot, result);
                }
            }
        }
        // Words only for the rejections that survived; nothing the details read changes during one search.
        for (var i = 0; i < result.KeptRejections; i++)
        {
            var (candidate, reason) = result.KeptRejection(i);
            result.Describe(i, Detail(context, candidate.Offer, reason, candidate));
        }
        return result;
    }

    /// <summary>
    /// Walks one market's offers cheapest first. Stops when the price alone rules out the rest: it can no longer beat the
    /// best candidate, it is above the price cap, or it exceeds what is left of the budget. When spot is ruled out for the
    /// whole job (not tolerated, not allowed, deadline too close), the cheapest spot offer is rejected with that reason to
    /// explain it and the rest are not looked at.
    /// </summary>
    private void Scan(in Context c, CloudOffer[] list, CapacityType market, CloudSearchResult result)
    {
        var scale = c.Rules.RankByExpectedCost ? (decimal)(c.Job.RemainingWork + options.CloudStartup).TotalHours : 1m;
        var costHours = (decimal)(c.Job.RemainingWork + options.CloudStartup).TotalHours;
        if ((market == CapacityType.Spot ? JobLevelSpotRejection(c) : JobLevelOnDemandRejection(c)) is { } blanket)
        {
            if (list.Length > 0)
            {
                result.Reject(Price(c, list[0], market), blanket, blanket: true);
            }
            return;
        }
        var budgetLeft = budgets.Remaining(c.Job.Team);
        foreach (var offer in list)
        {
            var price = market == CapacityType.Spot ? offer.SpotPricePerHour!.Value : offer.OnDemandPricePerHour;
            if (result.Best is { } best && price * scale > best.Score)
            {
                break;
            }
            Consider(c, offer, market, result);
            if (c.Cap(market) is { } cap && price / c.Job.Gpus > cap || budgetLeft is { } left && price * costHours > left)
            {
                break;
            }
        }
    }

    private void Consider(in Context c, CloudOffer offer, CapacityType market, CloudSearchResult result)
    {
        var candidate = Price(c, offer, market);
        var reason = Check(c, offer, market, candidate);
        if (reason is not { } r)
        {
            result.Accept(candidate);
        }
        else if (result.WouldKeepRejected(candidate))
        {
            result.Reject(candidate, r);
        }
        else
        {
            result.NoteRejected(candidate, r);
        }
    }

    private CloudCandidate Price(in Context c, CloudOffer offer, CapacityType market)
    {
        var work = c.Job.RemainingWork;
        var (price, cost) = market == CapacityType.Spot
            ? (offer.SpotPricePerHour!.Value, CostModel.SpotExpected(offer.SpotPricePerHour.Value, offer.SpotInterruptionsPerHour,
                work, options.CloudStartup, c.Job.CheckpointInterval, options.NonCheckpointReworkFraction))
            : (offer.OnDemandPricePerHour, CostModel.OnDemand(offer.OnDemandPricePerHour, work, options.CloudStartup));
        return new CloudCandidate(offer, market, price, cost, c.Rules.RankByExpectedCost ? cost : price);
    }

    private RejectionReason? Check(in Context c, CloudOffer offer, CapacityType market, CloudCandidate candidate)
    {
        if (offer.GpuMemoryGb < c.Job.MinGpuMemoryGb || !offer.Holds(c.Job))
        {
            return RejectionReason.Constraint;
        }
        if (offer.BlockedReason is not null)
        {
            return RejectionReason.BlockedOffer;
        }
        if (PolicyRefuses(c, offer))
        {
            return RejectionReason.Policy;
        }
        if (market == CapacityType.Spot && SpotRejection(c, offer) is { } spot)
        {
            return spot;
        }
        if (c.Cap(market) is { } cap && candidate.PricePerHour / c.Job.Gpus > cap)
        {
            return RejectionReason.Price;
        }
        return budgets.CanAfford(c.Job.Team, candidate.ExpectedCost) ? null : RejectionReason.Budget;
    }

    private static RejectionReason? SpotRejection(in Context c, CloudOffer offer) =>
        JobLevelSpotRejection(c) is { } reason && reason != RejectionReason.Deadline ? reason
        : offer.SpotBlockedReason is not null ? RejectionReason.BlockedOffer
        : c.Escalation?.Avoids(offer) is not null ? RejectionReason.Interruptions
        : JobLevelSpotRejection(c);

    /// <summary>Why on-demand is out for every offer (the policy allows spot only), or null.</summary>
    private static RejectionReason? JobLevelOnDemandRejection(in Context c) => c.Policy.AllowOnDemand ? null : RejectionReason.Policy;

    /// <summary>Whether <see cref="PolicyRefusal"/> has a reason, without building its words (most offers are looked at, few explained).</summary>
    private bool PolicyRefuses(in Context c, CloudOffer offer) =>
        !c.Policy.AllowsProvider(offer.Provider) || !c.Policy.AllowsRegion(offer.Region)
        || controls.DrainedProviders.ContainsKey(offer.Provider) || cloudGpus.Refuses(c.Policy, c.Job.Team, offer.GpusPerInstance);

    /// <summary>Why the policy or ops refuse this offer whatever the market (provider, region, drain, cloud-GPU caps), or null.</summary>
    private string? PolicyRefusal(in Context c, CloudOffer offer) =>
        !c.Policy.AllowsProvider(offer.Provider) || !c.Policy.AllowsRegion(offer.Region)
            ? $"team policy does not allow {offer.Provider}/{offer.Region}"
            : controls.DrainedProviders.TryGetValue(offer.Provider, out var why) ? $"provider {offer.Provider} is drained by ops: {why}"
            : cloudGpus.Refusal(c.Policy, c.Job.Team, offer.GpusPerInstance);

    /// <summary>Why spot is out for every offer (not tolerated, not allowed, deadline too close), or null.</summary>
    private static RejectionReason? JobLevelSpotRejection(in Context c) =>
        !c.Job.SpotAllowed ? RejectionReason.Constraint
        : !c.Policy.AllowSpot ? RejectionReason.Policy
        : c.Escalation?.NoSpot is not null ? RejectionReason.Interruptions
        : c.SpotRisk is not null ? RejectionReason.Deadline
        : null;

    private string Detail(in Context c, CloudOffer offer, RejectionReason reason, CloudCandidate candidate) => reason switch
    {
        RejectionReason.Constraint when candidate.Market == CapacityType.Spot && !c.Job.SpotAllowed =>
            "job does not tolerate spot interruptions",
        RejectionReason.Constraint when !offer.Holds(c.Job) =>
            $"{offer.VCpus} vCPUs and {offer.MemoryGb} GB memory, job needs {c.Job.CpuCores} CPUs and {c.Job.MemoryGb} GB",
        RejectionReason.Constraint => $"{offer.GpuMemoryGb} GB GPUs, job needs {c.Job.MinGpuMemoryGb} GB",
        RejectionReason.BlockedOffer => offer.BlockedReason ?? offer.SpotBlockedReason ?? "blocked",
        RejectionReason.Policy when candidate.Market == CapacityType.Spot && !c.Policy.AllowSpot => "team policy does not allow spot",
        RejectionReason.Policy when candidate.Market == CapacityType.OnDemand && !c.Policy.AllowOnDemand =>
            "team policy does not allow on-demand",
        RejectionReason.Policy => PolicyRefusal(c, offer) ?? "policy",
        RejectionReason.Deadline => c.SpotRisk ?? "deadline",
        RejectionReason.Interruptions => c.Escalation?.NoSpot ?? c.Escalation?.Avoids(offer) ?? "interruptions",
        RejectionReason.Price =>
            $"${candidate.PricePerHour / c.Job.Gpus:0.####} per GPU-hour is above the cap ${c.Cap(candidate.Market):0.####}",
        RejectionReason.Budget =>
            $"expected ${candidate.ExpectedCost:0.##} exceeds the ${budgets.Remaining(c.Job.Team) ?? 0:0.##} left in {c.Job.Team}'s budget",
        _ => reason.Code(),
    };

    private readonly record struct Context(PendingJob Job, BurstPolicy Policy, CloudRules Rules, string? SpotRisk,
        decimal? OnDemandCap, decimal? SpotCap, SpotEscalation? Escalation)
    {
        public decimal? Cap(CapacityType market) => market == CapacityType.Spot ? SpotCap : OnDemandCap;
    }
}
