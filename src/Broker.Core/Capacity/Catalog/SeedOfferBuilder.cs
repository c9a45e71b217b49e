using System.Globalization;

namespace Broker.Core.Capacity.Catalog;

/// <summary>Why a seed row did not become an offer; <see cref="None"/> when it did.</summary>
public enum SeedSkip
{
    None,
    WithoutPrice,
    NoAccelerator,
    NonNvidia,
    FractionalGpu,
}

/// <summary>Builds one offer from one corrected seed row, or says which skip rule it fell under (first match wins).</summary>
public static class SeedOfferBuilder
{
    public static (CatalogOffer? Offer, SeedSkip Skip) Build(SeedRow row)
    {
        if (ParseDecimal(row.OnDemandUsdPerHour) is not { } onDemand || onDemand <= 0)
        {
            return (null, SeedSkip.WithoutPrice);
        }
        if (string.IsNullOrWhiteSpace(row.Accelerator))
        {
            return (null, SeedSkip.NoAccelerator);
        }
        if (!SeedGpu.IsNvidia(row.Accelerator))
        {
            return (null, SeedSkip.NonNvidia);
        }
        var gpuCount = ParseDecimal(row.GpuCount);
        if (gpuCount is not { } count || count < 1 || count != decimal.Truncate(count))
        {
            return (null, SeedSkip.FractionalGpu);
        }
        var gpus = (int)count;
        var memoryPerGpu = ParseDouble(row.GpuMemoryGibTotal) / gpus;
        var model = SeedGpu.Resolve(row.Accelerator, memoryPerGpu);
        var spot = ParseDecimal(row.SpotUsdPerHour) is { } s && s > 0 ? s : (decimal?)null;
        var hazard = SpotInterruptionPriors.PerHour(row.Provider, row.SpotInterruptionBand);
        var offer = new CatalogOffer(
            row.Provider, row.Region, Zone: null, row.InstanceType, model, gpus,
            memoryPerGpu ?? SeedGpu.NominalMemory(model),
            (int)Math.Round(ParseDouble(row.VCpus) ?? 0), ParseDouble(row.MemoryGib) ?? 0,
            onDemand, spot, hazard, hazard, Available: true,
            DateOnly.ParseExact(row.PricesAsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture));
        return (offer, SeedSkip.None);
    }

    private static decimal? ParseDecimal(string text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static double? ParseDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
