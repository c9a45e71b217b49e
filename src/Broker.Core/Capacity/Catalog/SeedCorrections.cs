using System.Collections.Frozen;
using System.Globalization;

namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// Known errors in the source catalogs, each fixed on purpose when the seed is loaded (the seed file keeps the source's values):
/// <list type="bullet">
/// <item>Azure <c>Standard_ND96is_H100_v5</c> / <c>Standard_ND96isr_H100_v5</c>: the SkyPilot catalog says 12 GPUs; the VM has 8.</item>
/// <item>Azure rows whose spot price equals on-demand (every H100 row): the catalog filled a missing spot price with the
/// on-demand one. Spot is set to unknown (null) rather than derived, so no invented price reaches placement; a live price
/// refresh fills it in.</item>
/// <item>Azure <c>Standard_NV6/12/18ads_A10_v5</c>: the catalog says 1 GPU; they are partitions of one A10 (1/6, 1/3, 1/2).</item>
/// <item>AWS <c>p2.8xlarge</c> / <c>p2.16xlarge</c>: ec2instances.info counts K80 boards (4, 8); AWS sells them with 8 and 16
/// GPUs of 12 GiB (one K80 board holds two). The count becomes total GPU memory / 12 GiB.</item>
/// </list>
/// </summary>
public static class SeedCorrections
{
    public const int AzureNdH100V5Gpus = 8;
    public const double K80GpuMemoryGib = 12;

    private static readonly FrozenSet<string> AzureNdH100V5 =
        new[] { "Standard_ND96is_H100_v5", "Standard_ND96isr_H100_v5" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> AzureA10Partitions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Standard_NV6ads_A10_v5"] = "0.166667",
        ["Standard_NV12ads_A10_v5"] = "0.333333",
        ["Standard_NV18ads_A10_v5"] = "0.5",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static CorrectedSeedRow Apply(SeedRow row)
    {
        var gpuCount = CorrectGpuCount(row);
        var spot = row.Provider == "azure" && row.SpotUsdPerHour.Length > 0 && SamePrice(row.SpotUsdPerHour, row.OnDemandUsdPerHour)
            ? ""
            : row.SpotUsdPerHour;
        var corrected = row with { GpuCount = gpuCount, SpotUsdPerHour = spot };
        return new CorrectedSeedRow(corrected, GpuCountCorrected: gpuCount != row.GpuCount, SpotCleared: spot != row.SpotUsdPerHour);
    }

    private static string CorrectGpuCount(SeedRow row)
    {
        if (row.Provider == "azure" && AzureNdH100V5.Contains(row.InstanceType))
        {
            return AzureNdH100V5Gpus.ToString(CultureInfo.InvariantCulture);
        }
        if (row.Provider == "azure" && AzureA10Partitions.TryGetValue(row.InstanceType, out var partition))
        {
            return partition;
        }
        if (row.Provider == "aws" && row.InstanceType.StartsWith("p2.", StringComparison.Ordinal)
            && double.TryParse(row.GpuMemoryGibTotal, NumberStyles.Float, CultureInfo.InvariantCulture, out var memory))
        {
            return (memory / K80GpuMemoryGib).ToString(CultureInfo.InvariantCulture);
        }
        return row.GpuCount;
    }

    private static bool SamePrice(string a, string b) =>
        decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
        && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
        && x == y;
}

public sealed record CorrectedSeedRow(SeedRow Row, bool GpuCountCorrected, bool SpotCleared);
