using System.Runtime.InteropServices;
using Broker.Core.Capacity;

namespace Broker.Core.Placement;

/// <summary>
/// The words for an offer in a market, built once per pass: every job that looks at an offer names it the same way, and a
/// pass over 100,000 jobs otherwise builds, and keeps in their explanations, the same string for each of them.
/// </summary>
internal sealed class OfferDescriptions
{
    private readonly Dictionary<CloudOffer, string> onDemand = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<CloudOffer, string> spot = new(ReferenceEqualityComparer.Instance);

    /// <summary>The candidate's <see cref="CloudCandidate.Describe"/> text (its price is the offer's price in that market).</summary>
    public string Of(CloudCandidate candidate)
    {
        ref var text = ref CollectionsMarshal.GetValueRefOrAddDefault(candidate.Market == CapacityType.Spot ? spot : onDemand,
            candidate.Offer, out _);
        return text ??= candidate.Describe();
    }
}
