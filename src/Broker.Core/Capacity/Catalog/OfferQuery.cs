namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// Filters offers and lists them per market, cheapest GPU-hour first (GET /v1/offers). Every filter is optional.
/// Order: price per GPU-hour, then price per instance-hour, then provider, region, instance type and market, so equal
/// prices always come out in the same order.
/// </summary>
/// <param name="GpuModel">Any spelling <see cref="GpuModels.Normalize"/> knows.</param>
/// <param name="MinGpus">Offers with at least this many GPUs on one instance.</param>
/// <param name="Market">Spot or OnDemand; both when null. Offers without a spot price have no spot row.</param>
public sealed record OfferQuery(
    string? GpuModel = null,
    int? MinGpus = null,
    CapacityType? Market = null,
    string? Provider = null,
    string? Region = null,
    bool IncludeUnavailable = false)
{
    public IReadOnlyList<PricedOffer> Apply(IEnumerable<CatalogOffer> offers)
    {
        if (Market == CapacityType.OnPrem)
        {
            throw new ArgumentException("the cloud catalog has no on-prem market", nameof(Market));
        }
        var model = GpuModel is null ? null : GpuModels.Normalize(GpuModel);
        CapacityType[] markets = Market is { } only ? [only] : [CapacityType.Spot, CapacityType.OnDemand];
        return offers
            .Where(o => IncludeUnavailable || o.Available)
            .Where(o => model is null || string.Equals(o.GpuModel, model, StringComparison.OrdinalIgnoreCase))
            .Where(o => MinGpus is null || o.GpuCount >= MinGpus)
            .Where(o => Provider is null || string.Equals(o.Provider, Provider, StringComparison.OrdinalIgnoreCase))
            .Where(o => Region is null || string.Equals(o.Region, Region, StringComparison.OrdinalIgnoreCase))
            .SelectMany(o => markets.Select(m => Price(o, m)))
            .OfType<PricedOffer>()
            .OrderBy(p => p.PricePerGpuHour)
            .ThenBy(p => p.PricePerHour)
            .ThenBy(p => p.Offer.Provider, StringComparer.Ordinal)
            .ThenBy(p => p.Offer.Region, StringComparer.Ordinal)
            .ThenBy(p => p.Offer.InstanceType, StringComparer.Ordinal)
            .ThenBy(p => p.Market)
            .ToList();
    }

    private static PricedOffer? Price(CatalogOffer offer, CapacityType market) =>
        offer.PricePerHour(market) is { } perHour
            ? new PricedOffer(offer, market, perHour, offer.PricePerGpuHour(market)!.Value)
            : null;
}

/// <summary>An offer in one market with its prices, USD per instance-hour and per GPU-hour.</summary>
public sealed record PricedOffer(CatalogOffer Offer, CapacityType Market, decimal PricePerHour, decimal PricePerGpuHour)
{
    public OfferKey Key => Offer.Key(Market);
}
