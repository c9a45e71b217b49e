namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// One instance type a cloud sells in one region (zone null when only the region is known), with its published prices.
/// Prices are USD per instance-hour, Linux, no disks or network.
/// </summary>
/// <param name="GpuModel">Normalized through <see cref="GpuModels.Normalize"/>, e.g. <c>H100-80GB</c>.</param>
/// <param name="GpuMemoryGb">Memory of one GPU, when the source or the model name tells it.</param>
/// <param name="SpotPerHour">Null when the cloud has no spot market for this offer, or its spot price is not known.</param>
/// <param name="SpotInterruptionPerHour">Current estimate of the spot interruption hazard (interruptions per instance-hour).</param>
/// <param name="SpotInterruptionPriorPerHour">The hazard from the published band or provider default, before Broker's own observations.</param>
public sealed record CatalogOffer(
    string Provider,
    string Region,
    string? Zone,
    string InstanceType,
    string GpuModel,
    int GpuCount,
    double? GpuMemoryGb,
    int VCpus,
    double MemoryGb,
    decimal OnDemandPerHour,
    decimal? SpotPerHour,
    double SpotInterruptionPerHour,
    double SpotInterruptionPriorPerHour,
    bool Available,
    DateOnly PricesAsOf)
{
    /// <summary>Decimal places kept for per-GPU prices (the ledger stores numeric(18,6)).</summary>
    public const int PriceDecimals = 6;

    public decimal OnDemandPerGpuHour => PerGpu(OnDemandPerHour);

    public decimal? SpotPerGpuHour => SpotPerHour is { } spot ? PerGpu(spot) : null;

    /// <summary>The instance-hour price in a market, or null when the offer has no price there.</summary>
    public decimal? PricePerHour(CapacityType market) => market switch
    {
        CapacityType.OnDemand => OnDemandPerHour,
        CapacityType.Spot => SpotPerHour,
        _ => null,
    };

    public decimal? PricePerGpuHour(CapacityType market) => PricePerHour(market) is { } price ? PerGpu(price) : null;

    /// <summary>Probability that a spot instance is interrupted within <paramref name="run"/>, assuming a constant hazard.</summary>
    public double SpotInterruptionProbability(TimeSpan run) => 1 - Math.Exp(-SpotInterruptionPerHour * Math.Max(0, run.TotalHours));

    public OfferKey Key(CapacityType market) => new(Provider, Region, Zone, InstanceType, market);

    private decimal PerGpu(decimal perInstance) =>
        Math.Round(perInstance / GpuCount, PriceDecimals, MidpointRounding.AwayFromZero);
}
