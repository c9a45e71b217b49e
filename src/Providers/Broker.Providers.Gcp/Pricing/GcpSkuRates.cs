using Broker.Core.Capacity;

namespace Broker.Providers.Gcp.Pricing;

/// <summary>
/// Hourly rates of the family SKUs per (base description, market, region), read from catalog SKUs. A SKU matches when its
/// description is "&lt;base&gt; running in &lt;location&gt;" (on-demand, usageType OnDemand) or the spot form, "Spot
/// Preemptible &lt;base&gt;" for cores and RAM and "&lt;base&gt; attached to Spot Preemptible VMs" for GPUs (usageType
/// Preemptible). Exact prefixes keep commitment, sole-tenancy and DWS SKUs out. The region comes from serviceRegions.
/// </summary>
public sealed class GcpSkuRates
{
    private readonly Dictionary<(string Base, CapacityType Market, string Region), decimal> rates = [];
    private readonly List<(string Prefix, string Base, CapacityType Market)> patterns;

    public GcpSkuRates(IEnumerable<GcpFamilySkus> families)
    {
        patterns = families
            .SelectMany(f => new[] { (f.Core, false), (f.Ram, false), (f.Gpu, true) })
            .Distinct()
            .SelectMany(c => new[]
            {
                (Description(c.Item1, c.Item2, CapacityType.OnDemand) + " running in ", c.Item1, CapacityType.OnDemand),
                (Description(c.Item1, c.Item2, CapacityType.Spot) + " running in ", c.Item1, CapacityType.Spot),
            })
            .ToList();
    }

    public static string Description(string baseDescription, bool isGpu, CapacityType market) => market switch
    {
        CapacityType.Spot when isGpu => baseDescription + " attached to Spot Preemptible VMs",
        CapacityType.Spot => "Spot Preemptible " + baseDescription,
        _ => baseDescription,
    };

    public void Add(BillingSku sku)
    {
        if (sku.Description is not { } description || HourlyRate(sku) is not { } rate)
        {
            return;
        }
        foreach (var (prefix, baseDescription, market) in patterns)
        {
            if (description.StartsWith(prefix, StringComparison.Ordinal) && UsageTypeFits(sku.Category?.UsageType, market))
            {
                foreach (var region in sku.ServiceRegions ?? [])
                {
                    rates[(baseDescription, market, region)] = rate;
                }
            }
        }
    }

    /// <summary>Price of one instance-hour, or null when any of the three SKUs is missing in that region.</summary>
    public decimal? PriceOf(GcpMachineShape shape, CapacityType market, string region) =>
        rates.TryGetValue((shape.Skus.Core, market, region), out var core)
        && rates.TryGetValue((shape.Skus.Ram, market, region), out var ram)
        && rates.TryGetValue((shape.Skus.Gpu, market, region), out var gpu)
            ? (core * shape.Vcpus) + (ram * shape.RamGb) + (gpu * shape.Gpus)
            : null;

    private static bool UsageTypeFits(string? usageType, CapacityType market) =>
        usageType is null || usageType == (market == CapacityType.Spot ? "Preemptible" : "OnDemand");

    /// <summary>The latest pricing info's first non-zero tier (compute SKUs have a single tier; a free first tier is skipped).</summary>
    private static decimal? HourlyRate(BillingSku sku)
    {
        var tiers = sku.PricingInfo?.LastOrDefault()?.PricingExpression?.TieredRates ?? [];
        return tiers.Select(t => t.UnitPrice?.Amount ?? 0m).FirstOrDefault(amount => amount > 0m) is var price and > 0m
            ? price
            : null;
    }
}
