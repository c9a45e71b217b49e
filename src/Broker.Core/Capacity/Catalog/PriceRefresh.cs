namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// Merges live prices into the catalog. <see cref="Merge"/> is pure. <see cref="RefreshAsync"/> asks one
/// <see cref="IPriceSource"/> and merges; when the source throws, the offers are returned unchanged (last good prices)
/// with the reason.
/// <para>Matching: a quote updates the offer of its provider, region and instance type; a quote with a zone updates the
/// zonal offer of that zone, or the regional offer (zone null). Several zonal quotes for one regional offer are averaged,
/// the latest per zone, as the seed's AWS spot price is the average over zones. Quotes for offers the catalog does not
/// know are ignored and counted; quotes with a non-positive price or the on-prem market are rejected and counted.</para>
/// </summary>
public static class PriceRefresh
{
    public static PriceRefreshResult Merge(IReadOnlyList<CatalogOffer> offers, string provider, IEnumerable<PriceQuote> quotes)
    {
        var byOffer = new Dictionary<(string Region, string? Zone, string InstanceType), int>();
        for (var i = 0; i < offers.Count; i++)
        {
            if (offers[i].Provider == provider)
            {
                byOffer[(offers[i].Region, offers[i].Zone, offers[i].InstanceType)] = i;
            }
        }
        var matched = new Dictionary<(int Offer, CapacityType Market), Dictionary<string, PriceQuote>>();
        int ignored = 0, rejected = 0;
        foreach (var quote in quotes)
        {
            if (quote.PricePerHour <= 0 || quote.Market == CapacityType.OnPrem)
            {
                rejected++;
                continue;
            }
            if (quote.Provider != provider || !TryMatch(byOffer, quote, out var index))
            {
                ignored++;
                continue;
            }
            var perZone = matched.TryGetValue((index, quote.Market), out var z) ? z : matched[(index, quote.Market)] = new(StringComparer.Ordinal);
            var zone = quote.Zone ?? "";
            if (!perZone.TryGetValue(zone, out var seen) || seen.ObservedAt <= quote.ObservedAt)
            {
                perZone[zone] = quote;
            }
        }
        var updated = offers.ToArray();
        foreach (var ((index, market), perZone) in matched)
        {
            var price = Math.Round(perZone.Values.Average(q => q.PricePerHour), CatalogOffer.PriceDecimals, MidpointRounding.AwayFromZero);
            var asOf = DateOnly.FromDateTime(perZone.Values.Max(q => q.ObservedAt).UtcDateTime);
            var offer = updated[index];
            offer = market == CapacityType.Spot ? offer with { SpotPerHour = price } : offer with { OnDemandPerHour = price };
            updated[index] = offer with { PricesAsOf = asOf > offer.PricesAsOf ? asOf : offer.PricesAsOf };
        }
        var changedOffers = matched.Keys.Select(k => k.Offer).Distinct().Count();
        return new PriceRefreshResult(provider, Succeeded: true, updated, changedOffers,
            QuotesApplied: matched.Values.Sum(z => z.Count), ignored, rejected, FailureReason: null);
    }

    public static async Task<PriceRefreshResult> RefreshAsync(IReadOnlyList<CatalogOffer> offers, IPriceSource source,
        CancellationToken cancellationToken)
    {
        var wanted = offers.Where(o => o.Provider == source.Provider)
            .Select(o => new PriceKey(o.Region, o.InstanceType)).Distinct().ToList();
        IReadOnlyList<PriceQuote> quotes;
        try
        {
            quotes = await source.FetchAsync(wanted, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return PriceRefreshResult.Failed(source.Provider, offers, $"{e.GetType().Name}: {e.Message}");
        }
        return Merge(offers, source.Provider, quotes);
    }

    private static bool TryMatch(Dictionary<(string, string?, string), int> byOffer, PriceQuote quote, out int index) =>
        byOffer.TryGetValue((quote.Region, quote.Zone, quote.InstanceType), out index)
        || (quote.Zone is not null && byOffer.TryGetValue((quote.Region, null, quote.InstanceType), out index));
}

/// <summary>The outcome of one refresh for one provider. On failure <see cref="Offers"/> are the previous ones, untouched.</summary>
public sealed record PriceRefreshResult(
    string Provider,
    bool Succeeded,
    IReadOnlyList<CatalogOffer> Offers,
    int OffersUpdated,
    int QuotesApplied,
    int QuotesIgnoredUnknown,
    int QuotesRejected,
    string? FailureReason)
{
    public static PriceRefreshResult Failed(string provider, IReadOnlyList<CatalogOffer> lastGood, string reason) =>
        new(provider, Succeeded: false, lastGood, 0, 0, 0, 0, reason);
}
