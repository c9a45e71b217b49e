using System.Collections.Frozen;

namespace Broker.Core.Capacity.Catalog;

/// <summary>
/// Turns a catalog's accelerator name into a normalized GPU model. AWS names A100 and V100 without their memory, so the
/// per-GPU memory picks the variant (p4de is A100-80GB, p3dn V100-32GB). Azure and GCP do not list GPU memory: the
/// model's nominal memory is used.
/// </summary>
public static class SeedGpu
{
    private static readonly FrozenDictionary<string, double> NominalMemoryGb = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        [GpuModels.H100_80GB] = 80, [GpuModels.H200_141GB] = 141, [GpuModels.A100_80GB] = 80, [GpuModels.A100_40GB] = 40,
        [GpuModels.V100_16GB] = 16, [GpuModels.V100_32GB] = 32, [GpuModels.A10G] = 24, [GpuModels.A10] = 24,
        [GpuModels.L4] = 24, [GpuModels.L40S] = 48, [GpuModels.T4] = 16, [GpuModels.T4G] = 16, [GpuModels.K80] = 12,
        [GpuModels.P100] = 16, [GpuModels.M60] = 8, [GpuModels.K520] = 4, [GpuModels.RtxPro6000] = 96,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>NVIDIA when the vendor says so (AWS) or the name is a known NVIDIA model (Azure and GCP omit the vendor).</summary>
    public static bool IsNvidia(string accelerator) =>
        accelerator.Contains("nvidia", StringComparison.OrdinalIgnoreCase) || GpuModels.IsKnown(accelerator);

    public static string Resolve(string accelerator, double? memoryPerGpuGb)
    {
        var model = GpuModels.Normalize(accelerator);
        if (memoryPerGpuGb is not { } memory)
        {
            return model;
        }
        return model switch
        {
            GpuModels.A100_40GB or GpuModels.A100_80GB => memory >= 60 ? GpuModels.A100_80GB : GpuModels.A100_40GB,
            GpuModels.V100_16GB or GpuModels.V100_32GB => memory >= 24 ? GpuModels.V100_32GB : GpuModels.V100_16GB,
            _ => model,
        };
    }

    public static double? NominalMemory(string model) => NominalMemoryGb.TryGetValue(model, out var gb) ? gb : null;
}
