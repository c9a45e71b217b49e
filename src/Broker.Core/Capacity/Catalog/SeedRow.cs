namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// One line of the seed file: a source row reshaped into one format for all clouds, values kept as the source wrote them
/// (corrections and filtering happen when loading, so they are visible and tested). Written by tools/seed-catalog.
/// </summary>
/// <param name="GpuCount">May be fractional ("0.5") or empty, as in the source.</param>
/// <param name="GpuMemoryGibTotal">Memory of all GPUs together, empty when the source does not list it.</param>
/// <param name="SpotInterruptionBand">AWS Spot Advisor's monthly band (<c>&lt;5%</c> ... <c>&gt;20%</c>), empty elsewhere.</param>
public sealed record SeedRow(
    string Provider,
    string Region,
    string InstanceType,
    string Accelerator,
    string GpuCount,
    string GpuMemoryGibTotal,
    string VCpus,
    string MemoryGib,
    string OnDemandUsdPerHour,
    string SpotUsdPerHour,
    string SpotInterruptionBand,
    string PricesAsOf)
{
    public const string Header =
        "provider,region,instance_type,accelerator,gpu_count,gpu_memory_gib_total,vcpus,memory_gib," +
        "ondemand_usd_hr,spot_usd_hr,spot_interruption_band,prices_as_of";

    private const int FieldCount = 12;

    public static SeedRow Parse(string line)
    {
        var f = line.Split(',');
        if (f.Length != FieldCount)
        {
            throw new InvalidDataException($"seed row has {f.Length} fields, expected {FieldCount}: {line}");
        }
        return new SeedRow(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]);
    }

    /// <summary>The CSV line. Fields never hold commas or quotes; the generator rejects any that would.</summary>
    public string ToCsvLine()
    {
        string[] fields = [Provider, Region, InstanceType, Accelerator, GpuCount, GpuMemoryGibTotal, VCpus, MemoryGib,
            OnDemandUsdPerHour, SpotUsdPerHour, SpotInterruptionBand, PricesAsOf];
        foreach (var field in fields)
        {
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                throw new InvalidDataException($"seed field may not contain a comma, quote or newline: '{field}'");
            }
        }
        return string.Join(',', fields);
    }
}
