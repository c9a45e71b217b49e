using Broker.Core.Capacity.Catalog;

namespace Broker.Core.Capacity;

/// <summary>
/// One row of the persisted offer catalog: a <see cref="CatalogOffer"/> plus what Broker learns about it over time (live
/// prices, observed spot interruptions). The natural key is (provider, region, zone, instance type); zone is null for a
/// regional offer.
/// </summary>
public sealed class Offer
{
    public long Id { get; set; }
    public required string Provider { get; set; }
    public required string Region { get; set; }
    public string? Zone { get; set; }
    public required string InstanceType { get; set; }
    public required string GpuModel { get; set; }
    public int GpuCount { get; set; }
    public double? GpuMemoryGb { get; set; }
    public int VCpus { get; set; }
    public double MemoryGb { get; set; }
    public decimal OnDemandPerHour { get; set; }
    public decimal? SpotPerHour { get; set; }
    /// <summary>Current estimate, interruptions per spot instance-hour: the prior blended with the observations below.</summary>
    public double SpotInterruptionPerHour { get; set; }
    public double SpotInterruptionPriorPerHour { get; set; }
    /// <summary>Cumulative spot interruptions Broker saw on this offer.</summary>
    public int ObservedInterruptions { get; set; }
    /// <summary>Cumulative spot instance-hours Broker ran on this offer.</summary>
    public double SpotInstanceHours { get; set; }
    public bool Available { get; set; }
    public DateOnly PricesAsOf { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>PostgreSQL <c>xmin</c>: refreshes and usage updates touch the same rows.</summary>
    public uint Version { get; set; }

    public static Offer From(CatalogOffer o, DateTimeOffset now) => new()
    {
        Provider = o.Provider,
        Region = o.Region,
        Zone = o.Zone,
        InstanceType = o.InstanceType,
        GpuModel = o.GpuModel,
        GpuCount = o.GpuCount,
        GpuMemoryGb = o.GpuMemoryGb,
        VCpus = o.VCpus,
        MemoryGb = o.MemoryGb,
        OnDemandPerHour = o.OnDemandPerHour,
        SpotPerHour = o.SpotPerHour,
        SpotInterruptionPerHour = o.SpotInterruptionPerHour,
        SpotInterruptionPriorPerHour = o.SpotInterruptionPriorPerHour,
        Available = o.Available,
        PricesAsOf = o.PricesAsOf,
        UpdatedAt = now,
    };

    public CatalogOffer ToCatalogOffer() => new(Provider, Region, Zone, InstanceType, GpuModel, GpuCount, GpuMemoryGb, VCpus,
        MemoryGb, OnDemandPerHour, SpotPerHour, SpotInterruptionPerHour, SpotInterruptionPriorPerHour, Available, PricesAsOf);

    public InterruptionObservation Observed => new(ObservedInterruptions, SpotInstanceHours);

    /// <summary>Takes the prices of <paramref name="refreshed"/>; true when anything changed.</summary>
    public bool TakePrices(CatalogOffer refreshed, DateTimeOffset now)
    {
        var changed = OnDemandPerHour != refreshed.OnDemandPerHour || SpotPerHour != refreshed.SpotPerHour
            || PricesAsOf < refreshed.PricesAsOf;
        if (changed)
        {
            OnDemandPerHour = refreshed.OnDemandPerHour;
            SpotPerHour = refreshed.SpotPerHour;
            PricesAsOf = refreshed.PricesAsOf > PricesAsOf ? refreshed.PricesAsOf : PricesAsOf;
            UpdatedAt = now;
        }
        return changed;
    }

    /// <summary>Adds one spot run and re-estimates the hazard from the prior and the cumulative observations.</summary>
    public void RecordSpotUsage(double instanceHours, bool interrupted, InterruptionEstimator estimator, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(instanceHours);
        SpotInstanceHours += instanceHours;
        ObservedInterruptions += interrupted ? 1 : 0;
        SpotInterruptionPerHour = estimator.Estimate(SpotInterruptionPriorPerHour, Observed);
        UpdatedAt = now;
    }
}
