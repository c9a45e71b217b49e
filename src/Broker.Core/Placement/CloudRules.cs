using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>How a strategy looks at cloud offers.</summary>
/// <param name="UseSpot">Consider spot markets at all (where the job and the policy allow it).</param>
/// <param name="RankByExpectedCost">Rank by expected run cost (boot and spot rework included); otherwise by hourly price.</param>
/// <param name="DeadlineAware">Refuse spot when the deadline slack cannot absorb an interruption (Uniform Progress).</param>
/// <param name="Escalate">Move a job's spot away from zones, regions and providers that keep interrupting it or refusing it,
/// and stop offering spot after the policy's bound (<see cref="SpotEscalation"/>).</param>
internal sealed record CloudRules(bool UseSpot, bool RankByExpectedCost, bool DeadlineAware, bool Escalate = false);

/// <summary>One way to run a job in the cloud: an offer and a market, priced for the job.</summary>
internal readonly record struct CloudCandidate(CloudOffer Offer, CapacityType Market, decimal PricePerHour,
    decimal ExpectedCost, decimal Score)
{
    public string Describe() =>
        // One string, not Offer.Id and then this: the same text as $"{Offer.Id} ..." without the intermediate id.
        $"{(Offer.IsGang ? $"gang of {Offer.Members} x " : "")}{Offer.Provider}/{Offer.Region}/{Offer.Zone ?? "-"}/{Offer.InstanceType} {(Market == CapacityType.Spot ? "spot" : "on-demand")} at ${PricePerHour:0.####}/h";

    /// <summary>Total order: score, then offer, then market, so ties break the same way every time.</summary>
    public static int Order(CloudCandidate a, CloudCandidate b)
    {
        var byScore = a.Score.CompareTo(b.Score);
        if (byScore != 0)
        {
            return byScore;
        }
        var byOffer = OfferOrder.Compare(a.Offer, b.Offer);
        return byOffer != 0 ? byOffer : a.Market.CompareTo(b.Market);
    }
}
