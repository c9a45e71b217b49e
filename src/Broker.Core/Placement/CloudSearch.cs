using Broker.Core.Capacity;
using Broker.Core.Policies;

namespace Broker.Core.Placement;

/// <summary>
/// Finds the best cloud option for one job under a strategy's <see cref="CloudRules"/>, the team policy, price caps and
/// the budget, and keeps the cheapest rejected options (with why) for the explanation.
/// </summary>
internal sealed class CloudSearch(OfferIndex offers, BudgetLedger budgets, DateTimeOffset now, PlacementOptions options)
{
    public CloudSearchResult Search(PendingJob job, BurstPolicy policy, CloudRules rules)
    {
        var result = new CloudSearchResult(options.ExplainTopRejected);
        var scale = rules.RankByExpectedCost ? (decimal)(job.RemainingWork + options.CloudStartup).TotalHours : 1m;
        var spotRisk = rules.DeadlineAware
            ? UniformProgress.SpotRisk(job, now, options.CloudStartup, options.NonCheckpointReworkFraction)
            : null;
        foreach (var bucket in offers.BucketsFor(job))
        {
            foreach (var offer in bucket.Offers)
            {
                if (result.Best is { } best && OfferIndex.FloorPrice(offer) * scale > best.Score)
                {
                    break;
                }
                Consider(job, policy, rules, offer, CapacityType.OnDemand, null, result);
                if (rules.UseSpot && offer.SpotPricePerHour is not null)
                {
                    Consider(job, policy, rules, offer, CapacityType.Spot, spotRisk, result);
                }
            }
        }
        return result;
    }

    private void Consider(PendingJob job, BurstPolicy policy, CloudRules rules, CloudOffer offer, CapacityType market,
        string? spotRisk, CloudSearchResult result)
    {
        var candidate = Price(job, rules, offer, market);
        var rejection = Check(job, policy, offer, market, spotRisk, candidate);
        if (rejection is { } r)
        {
            result.Reject(candidate, r.Reason, r.Detail);
        }
        else
        {
            result.Accept(candidate);
        }
    }

    private CloudCandidate Price(PendingJob job, CloudRules rules, CloudOffer offer, CapacityType market)
    {
        var work = job.RemainingWork;
        var (price, cost) = market == CapacityType.Spot
            ? (offer.SpotPricePerHour!.Value, CostModel.SpotExpected(offer.SpotPricePerHour.Value, offer.SpotInterruptionsPerHour,
                work, options.CloudStartup, job.CheckpointInterval, options.NonCheckpointReworkFraction))
            : (offer.OnDemandPricePerHour, CostModel.OnDemand(offer.OnDemandPricePerHour, work, options.CloudStartup));
        return new CloudCandidate(offer, market, price, cost, rules.RankByExpectedCost ? cost : price);
    }

    private (RejectionReason Reason, string Detail)? Check(PendingJob job, BurstPolicy policy, CloudOffer offer,
        CapacityType market, string? spotRisk, CloudCandidate candidate)
    {
        if (offer.GpuMemoryGb < job.MinGpuMemoryGb)
        {
            return (RejectionReason.Constraint, $"{offer.GpuMemoryGb} GB GPUs, job needs {job.MinGpuMemoryGb} GB");
        }
        if (offer.BlockedReason is { } blocked)
        {
            return (RejectionReason.BlockedOffer, blocked);
        }
        if (!policy.AllowsProvider(offer.Provider) || !policy.AllowsRegion(offer.Region))
        {
            return (RejectionReason.Policy, $"team policy does not allow {offer.Provider}/{offer.Region}");
        }
        if (market == CapacityType.Spot && SpotRejection(job, policy, offer, spotRisk) is { } spot)
        {
            return spot;
        }
        if (PolicyBook.PriceCap(job.MaxPricePerGpuHour, policy) is { } cap && candidate.PricePerHour / job.Gpus > cap)
        {
            return (RejectionReason.Price, $"${candidate.PricePerHour / job.Gpus:0.####} per GPU-hour is above the cap ${cap:0.####}");
        }
        if (!budgets.CanAfford(job.Team, candidate.ExpectedCost))
        {
            return (RejectionReason.Budget,
                $"expected ${candidate.ExpectedCost:0.##} exceeds the ${budgets.Remaining(job.Team) ?? 0:0.##} left in {job.Team}'s budget");
        }
        return null;
    }

    private static (RejectionReason, string)? SpotRejection(PendingJob job, BurstPolicy policy, CloudOffer offer, string? spotRisk)
    {
        if (!job.SpotAllowed)
        {
            return (RejectionReason.Constraint, "job does not tolerate spot interruptions");
        }
        if (!policy.AllowSpot)
        {
            return (RejectionReason.Policy, "team policy does not allow spot");
        }
        if (offer.SpotBlockedReason is { } blocked)
        {
            return (RejectionReason.BlockedOffer, blocked);
        }
        return spotRisk is null ? null : (RejectionReason.Deadline, spotRisk);
    }
}
