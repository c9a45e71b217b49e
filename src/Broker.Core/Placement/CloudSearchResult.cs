using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>The best cloud candidate found and the cheapest losers, kept in small sorted lists.</summary>
internal sealed class CloudSearchResult(int keep, OfferDescriptions offerText)
{
    private readonly List<(CloudCandidate Candidate, RejectionReason Reason, string Detail)> rejected = [];
    private readonly List<CloudCandidate> runnersUp = [];
    private RejectionReason? leading;
    private CloudCandidate? leadingCandidate;
    private bool leadingIsBlanket;

    public CloudCandidate? Best { get; private set; }

    /// <summary>The job's spot escalation in words when it has had interruptions or failed spot launches; null otherwise.</summary>
    public string? Escalation { get; set; }

    /// <summary>A spot candidate was turned down only because its market is blocked.</summary>
    public bool BlockedSpotSeen { get; private set; }

    /// <summary>A spot candidate was turned down because the deadline slack cannot absorb an interruption.</summary>
    public bool RiskySpotSeen { get; private set; }

    /// <summary>The reason of the cheapest rejected option: why the job cannot have the cloud when nothing was accepted.</summary>
    public RejectionReason? LeadingRejection => leading;

    public void Accept(CloudCandidate candidate)
    {
        if (Best is not { } best || CloudCandidate.Order(candidate, best) < 0)
        {
            if (Best is { } previous)
            {
                Insert(runnersUp, previous);
            }
            Best = candidate;
        }
        else
        {
            Insert(runnersUp, candidate);
        }
    }

    public bool WouldKeepRejected(CloudCandidate candidate) =>
        rejected.Count < keep || CloudCandidate.Order(candidate, rejected[^1].Candidate) < 0;

    /// <param name="blanket">The reason rules out a whole market for the job (spot not tolerated, not allowed, too close to
    /// the deadline): it explains, but never hides why a real offer was turned down (budget, price, blocks).</param>
    public void Reject(CloudCandidate candidate, RejectionReason reason, string detail, bool blanket = false)
    {
        NoteRejected(candidate, reason, blanket);
        var index = 0;
        while (index < rejected.Count && CloudCandidate.Order(rejected[index].Candidate, candidate) <= 0)
        {
            index++;
        }
        rejected.Insert(index, (candidate, reason, detail));
        if (rejected.Count > keep)
        {
            rejected.RemoveAt(rejected.Count - 1);
        }
    }

    public void NoteRejected(CloudCandidate candidate, RejectionReason reason, bool blanket = false)
    {
        if (candidate.Market == CapacityType.Spot)
        {
            BlockedSpotSeen |= reason == RejectionReason.BlockedOffer;
            RiskySpotSeen |= reason == RejectionReason.Deadline;
        }
        var leads = leadingCandidate is not { } current
            || (blanket == leadingIsBlanket ? CloudCandidate.Order(candidate, current) < 0 : !blanket);
        if (leads)
        {
            leadingCandidate = candidate;
            leading = reason;
            leadingIsBlanket = blanket;
        }
    }

    /// <summary>The best rejected options, cheapest first: constraint failures and valid-but-costlier candidates.</summary>
    public IReadOnlyList<RejectedOption> Explain()
    {
        // Order first, then put words only on the options that are shown (at most `keep` of up to 2 × keep).
        var all = new List<(CloudCandidate Candidate, int Rejected)>(rejected.Count + runnersUp.Count);
        for (var i = 0; i < rejected.Count; i++)
        {
            all.Add((rejected[i].Candidate, i));
        }
        foreach (var c in runnersUp)
        {
            all.Add((c, -1));
        }
        all.Sort((a, b) => CloudCandidate.Order(a.Candidate, b.Candidate));
        var shown = new RejectedOption[Math.Min(keep, all.Count)];
        for (var i = 0; i < shown.Length; i++)
        {
            var (c, index) = all[i];
            shown[i] = index >= 0
                ? new RejectedOption(offerText.Of(c), rejected[index].Reason, rejected[index].Detail, c.ExpectedCost)
                : new RejectedOption(offerText.Of(c), RejectionReason.Price,
                    $"expected ${c.ExpectedCost:0.####} vs ${Best!.Value.ExpectedCost:0.####} for the best option", c.ExpectedCost);
        }
        return shown;
    }

    private void Insert(List<CloudCandidate> list, CloudCandidate candidate)
    {
        var index = 0;
        while (index < list.Count && CloudCandidate.Order(list[index], candidate) <= 0)
        {
            index++;
        }
        if (index >= keep)
        {
            return;
        }
        list.Insert(index, candidate);
        if (list.Count > keep)
        {
            list.RemoveAt(list.Count - 1);
        }
    }
}
