using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>
/// The best cloud candidate found and the cheapest losers, kept in small sorted lists. One instance serves every search of
/// a pass (<see cref="Reset"/>): its lists never grow beyond <c>keep + 1</c>, so a search allocates only the words it shows.
/// </summary>
internal sealed class CloudSearchResult(int keep, OfferDescriptions offerText)
{
    private readonly List<(CloudCandidate Candidate, RejectionReason Reason, string? Detail)> rejected = new(keep + 1);
    private readonly List<CloudCandidate> runnersUp = new(keep + 1);
    private readonly List<(CloudCandidate Candidate, int Rejected)> ordered = new(2 * keep + 2);
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

    /// <summary>How many rejected options are kept (at most <c>keep</c>): their details are set by <see cref="Describe"/>.</summary>
    public int KeptRejections => rejected.Count;

    /// <summary>Empties the result for the next search.</summary>
    public void Reset()
    {
        rejected.Clear();
        runnersUp.Clear();
        leading = null;
        leadingCandidate = null;
        leadingIsBlanket = false;
        Best = null;
        Escalation = null;
        BlockedSpotSeen = false;
        RiskySpotSeen = false;
    }

    /// <summary>The kept rejection at <paramref name="index"/>, cheapest first.</summary>
    public (CloudCandidate Candidate, RejectionReason Reason) KeptRejection(int index) => (rejected[index].Candidate, rejected[index].Reason);

    /// <summary>Words the kept rejection at <paramref name="index"/>: only options that survive the search are worded.</summary>
    public void Describe(int index, string detail) => rejected[index] = rejected[index] with { Detail = detail };

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
    public void Reject(CloudCandidate candidate, RejectionReason reason, bool blanket = false)
    {
        NoteRejected(candidate, reason, blanket);
        var index = 0;
        while (index < rejected.Count && CloudCandidate.Order(rejected[index].Candidate, candidate) <= 0)
        {
            index++;
        }
        rejected.Insert(index, (candidate, reason, null));
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

    /// <summary>
    /// <paramref name="leading"/> followed by the best rejected options, cheapest first (constraint failures and
    /// valid-but-costlier candidates), at most <paramref name="max"/> of them (all kept ones when null).
    /// </summary>
    public RejectedOption[] Explain(ReadOnlySpan<RejectedOption> leading, int? max = null)
    {
        // Order first, then put words only on the options that are shown (at most `keep` of up to 2 × keep).
        ordered.Clear();
        for (var i = 0; i < rejected.Count; i++)
        {
            ordered.Add((rejected[i].Candidate, i));
        }
        foreach (var c in runnersUp)
        {
            ordered.Add((c, -1));
        }
        ordered.Sort(static (a, b) => CloudCandidate.Order(a.Candidate, b.Candidate));
        var count = Math.Max(0, Math.Min(Math.Min(keep, max ?? keep), ordered.Count));
        var shown = new RejectedOption[leading.Length + count];
        leading.CopyTo(shown);
        for (var i = 0; i < count; i++)
        {
            var (c, index) = ordered[i];
            shown[leading.Length + i] = index >= 0
                ? new RejectedOption(offerText.Of(c), rejected[index].Reason,
                    rejected[index].Detail ?? throw new InvalidOperationException("A kept rejection was not described."), c.ExpectedCost)
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
