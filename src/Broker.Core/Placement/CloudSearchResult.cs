namespace Broker.Core.Placement;

/// <summary>The best cloud candidate found and the cheapest losers, kept in a small sorted list.</summary>
internal sealed class CloudSearchResult(int keepRejected)
{
    private readonly List<(CloudCandidate Candidate, RejectionReason Reason, string Detail)> rejected = [];
    private readonly List<CloudCandidate> runnersUp = [];

    public CloudCandidate? Best { get; private set; }

    /// <summary>A spot candidate was turned down only because its market is blocked.</summary>
    public bool BlockedSpotSeen { get; private set; }

    /// <summary>A spot candidate was turned down because the deadline slack cannot absorb an interruption.</summary>
    public bool RiskySpotSeen { get; private set; }

    public void Accept(CloudCandidate candidate)
    {
        if (Best is null || Order(candidate, Best) < 0)
        {
            if (Best is not null)
            {
                Keep(runnersUp, Best);
            }
            Best = candidate;
        }
        else
        {
            Keep(runnersUp, candidate);
        }
    }

    public void Reject(CloudCandidate candidate, RejectionReason reason, string detail)
    {
        if (candidate.Market == Capacity.CapacityType.Spot)
        {
            BlockedSpotSeen |= reason == RejectionReason.BlockedOffer;
            RiskySpotSeen |= reason == RejectionReason.Deadline;
        }
        var index = rejected.FindIndex(r => Order(candidate, r.Candidate) < 0);
        if (index < 0 && rejected.Count >= keepRejected)
        {
            return;
        }
        rejected.Insert(index < 0 ? rejected.Count : index, (candidate, reason, detail));
        if (rejected.Count > keepRejected)
        {
            rejected.RemoveAt(rejected.Count - 1);
        }
    }

    /// <summary>The reason of the cheapest rejected option: why the job cannot have the cloud when nothing was accepted.</summary>
    public RejectionReason? LeadingRejection => rejected.Count > 0 ? rejected[0].Reason : null;

    /// <summary>The best rejected options, cheapest first: constraint failures and valid-but-costlier candidates.</summary>
    public IEnumerable<RejectedOption> Explain()
    {
        var losers = rejected.Select(r => (r.Candidate, Option: new RejectedOption(r.Candidate.Describe(), r.Reason, r.Detail, r.Candidate.ExpectedCost)))
            .Concat(runnersUp.Select(c => (Candidate: c, Option: new RejectedOption(c.Describe(), RejectionReason.Price,
                $"expected ${c.ExpectedCost:0.##} vs ${Best!.ExpectedCost:0.##} for the chosen option", c.ExpectedCost))));
        return losers.OrderBy(l => l.Candidate, Comparer<CloudCandidate>.Create(Order)).Take(keepRejected).Select(l => l.Option);
    }

    private void Keep(List<CloudCandidate> list, CloudCandidate candidate)
    {
        var index = list.FindIndex(c => Order(candidate, c) < 0);
        if (index < 0 && list.Count >= keepRejected)
        {
            return;
        }
        list.Insert(index < 0 ? list.Count : index, candidate);
        if (list.Count > keepRejected)
        {
            list.RemoveAt(list.Count - 1);
        }
    }

    /// <summary>Total order: score, then offer id, then market, so ties break the same way every time.</summary>
    internal static int Order(CloudCandidate a, CloudCandidate b)
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
