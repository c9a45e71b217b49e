using System.Collections.Frozen;

namespace Broker.Providers.Gcp.Pricing;

/// <summary>The three SKUs a GPU machine family is billed by (base descriptions, before " running in &lt;location&gt;").</summary>
public sealed record GcpFamilySkus(string Core, string Ram, string Gpu);

/// <summary>What one machine type consumes per hour: vCPUs, GB of RAM and GPUs of its family's SKUs.</summary>
public sealed record GcpMachineShape(string MachineType, GcpFamilySkus Skus, int Vcpus, decimal RamGb, int Gpus);

/// <summary>
/// GCP bills accelerator-optimized machine types as vCPU-hours + GB-hours of RAM + GPU-hours of the family's SKUs, so an
/// instance-hour price is the sum of those three rates times the machine's shape. Covered families (every GPU machine type
/// in the seed catalog except g4): a2-highgpu/a2-megagpu (A100 40GB), a2-ultragpu (A100 80GB), a3-highgpu (H100 80GB),
/// a3-megagpu (A3Plus core/RAM with the H100 Mega GPU SKU) and g2-standard (L4). Not covered: g4 (fractional RTX PRO 6000
/// shapes), n1 with attached T4/V100 (the GPU is a separate guestAccelerator), a4 and newer. Bundled local SSD on a2-ultragpu
/// and a3 is left out, as in the seed catalog ("no disks"). Shapes are the published ones (vCPUs, GB, GPUs).
/// </summary>
public static class GcpMachineShapes
{
    public static readonly GcpFamilySkus A2 = new("A2 Instance Core", "A2 Instance Ram", "Nvidia Tesla A100 GPU");
    public static readonly GcpFamilySkus A2Ultra = new("A2 Instance Core", "A2 Instance Ram", "Nvidia Tesla A100 80GB GPU");
    public static readonly GcpFamilySkus A3 = new("A3 Instance Core", "A3 Instance Ram", "Nvidia H100 80GB GPU");
    public static readonly GcpFamilySkus A3Mega = new("A3Plus Instance Core", "A3Plus Instance Ram", "Nvidia H100 80GB Mega GPU");
    public static readonly GcpFamilySkus G2 = new("G2 Instance Core", "G2 Instance Ram", "Nvidia L4 GPU");

    private static readonly FrozenDictionary<string, GcpMachineShape> Shapes = new GcpMachineShape[]
    {
        new("a2-highgpu-1g", A2, 12, 85, 1),
        new("a2-highgpu-2g", A2, 24, 170, 2),
        new("a2-highgpu-4g", A2, 48, 340, 4),
        new("a2-highgpu-8g", A2, 96, 680, 8),
        new("a2-megagpu-16g", A2, 96, 1360, 16),
        new("a2-ultragpu-1g", A2Ultra, 12, 170, 1),
        new("a2-ultragpu-2g", A2Ultra, 24, 340, 2),
        new("a2-ultragpu-4g", A2Ultra, 48, 680, 4),
        new("a2-ultragpu-8g", A2Ultra, 96, 1360, 8),
        new("a3-highgpu-1g", A3, 26, 234, 1),
        new("a3-highgpu-2g", A3, 52, 468, 2),
        new("a3-highgpu-4g", A3, 104, 936, 4),
        new("a3-highgpu-8g", A3, 208, 1872, 8),
        new("a3-megagpu-8g", A3Mega, 208, 1872, 8),
        new("g2-standard-4", G2, 4, 16, 1),
        new("g2-standard-8", G2, 8, 32, 1),
        new("g2-standard-12", G2, 12, 48, 1),
        new("g2-standard-16", G2, 16, 64, 1),
        new("g2-standard-24", G2, 24, 96, 2),
        new("g2-standard-32", G2, 32, 128, 1),
        new("g2-standard-48", G2, 48, 192, 4),
        new("g2-standard-96", G2, 96, 384, 8),
    }.ToFrozenDictionary(s => s.MachineType, StringComparer.Ordinal);

    public static GcpMachineShape? Find(string machineType) => Shapes.GetValueOrDefault(machineType);

    public static IEnumerable<GcpFamilySkus> Families => Shapes.Values.Select(s => s.Skus).Distinct();
}
