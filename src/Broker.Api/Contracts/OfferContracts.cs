using System.Globalization;
using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;

namespace Broker.Api.Contracts;

/// <summary>Query string of <c>GET /v1/offers</c>, read as strings so every mistake gets a field-level message.</summary>
public sealed record OfferListQuery(string? GpuModel, string? MinGpus, string? Market, string? Provider, string? Region, string? Limit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public static readonly IReadOnlyList<string> Providers = ["aws", "azure", "gcp"];

    public (OfferQuery? Query, int Limit, Dictionary<string, string[]> Errors) Parse()
    {
        var errors = new Dictionary<string, string[]>();
        if (GpuModel is not null && !GpuModels.IsKnown(GpuModel))
        {
            errors["gpuModel"] = [$"Unknown GPU model '{GpuModel}'. Models: {string.Join(", ", GpuModels.All)}."];
        }
        int? minGpus = null;
        if (MinGpus is not null)
        {
            minGpus = int.TryParse(MinGpus, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : null;
            if (minGpus is null)
            {
                errors["minGpus"] = ["minGpus is a whole number of at least 1."];
            }
        }
        CapacityType? market = null;
        if (Market is not null)
        {
            market = Market.ToLowerInvariant() switch { "spot" => CapacityType.Spot, "ondemand" => CapacityType.OnDemand, _ => null };
            if (market is null)
            {
                errors["market"] = [$"Unknown market '{Market}'. Markets: spot, ondemand."];
            }
        }
        if (Provider is not null && !Providers.Contains(Provider.ToLowerInvariant()))
        {
            errors["provider"] = [$"Unknown provider '{Provider}'. Providers: {string.Join(", ", Providers)}."];
        }
        var limit = DefaultLimit;
        if (Limit is not null && !(int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxLimit))
        {
            errors["limit"] = [$"The limit is a whole number between 1 and {MaxLimit}."];
        }
        if (errors.Count > 0)
        {
            return (null, 0, errors);
        }
        var region = string.IsNullOrWhiteSpace(Region) ? null : Region.Trim();
        return (new OfferQuery(GpuModel, minGpus, market, Provider?.ToLowerInvariant(), region), limit, errors);
    }
}

/// <summary>One offer in one market. <c>interruptionsPerHour</c> (the spot hazard estimate) is on spot rows only.</summary>
public sealed record OfferResponse(
    string Provider, string Region, string? Zone, string InstanceType, string GpuModel, int GpuCount, double? GpuMemoryGb,
    int VCpus, double MemoryGb, CapacityType Market, decimal PricePerHour, decimal PricePerGpuHour, double? InterruptionsPerHour,
    DateOnly PricesAsOf, bool Blocked, string? BlockedReason, DateTimeOffset? BlockedUntil);

public sealed record OfferListResponse(IReadOnlyList<OfferResponse> Items);

public static class OfferMapping
{
    public static OfferResponse ToResponse(this PricedOffer priced, UnavailableOfferCache.OfferBlock? block)
    {
        var o = priced.Offer;
        return new OfferResponse(o.Provider, o.Region, o.Zone, o.InstanceType, o.GpuModel, o.GpuCount, o.GpuMemoryGb, o.VCpus,
            o.MemoryGb, priced.Market, Money.Trim(priced.PricePerHour), Money.Trim(priced.PricePerGpuHour),
            priced.Market == CapacityType.Spot ? o.SpotInterruptionPerHour : null, o.PricesAsOf,
            block is not null, block?.Reason, block?.Until);
    }
}
