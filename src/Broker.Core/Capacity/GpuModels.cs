using System.Collections.Frozen;

namespace Broker.Core.Capacity;

/// <summary>
/// GPU model names normalized across clouds and Slurm gres types (for example <c>H100-80GB</c>, <c>A100-40GB</c>, <c>L4</c>).
/// Provider catalogs and on-prem inventories all pass their raw names through <see cref="Normalize"/>.
/// </summary>
public static class GpuModels
{
    public const string H100_80GB = "H100-80GB";
    public const string H200_141GB = "H200-141GB";
    public const string A100_80GB = "A100-80GB";
    public const string A100_40GB = "A100-40GB";
    public const string A10G = "A10G";
    public const string A10 = "A10";
    public const string L4 = "L4";
    public const string L40S = "L40S";
    public const string T4 = "T4";
    public const string V100_16GB = "V100-16GB";
    public const string V100_32GB = "V100-32GB";
    public const string K80 = "K80";
    public const string P100 = "P100";
    public const string M60 = "M60";
    public const string K520 = "K520";
    public const string T4G = "T4G";
    public const string B200 = "B200";
    public const string B300 = "B300";
    public const string RtxPro6000 = "RTX-PRO-6000";

    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["h100"] = H100_80GB, ["h100-80gb"] = H100_80GB, ["h100 80gb"] = H100_80GB, ["nvidia-h100-80gb"] = H100_80GB,
        ["h100-mega-80gb"] = H100_80GB, ["nvidia-h100-mega-80gb"] = H100_80GB,
        ["h200"] = H200_141GB, ["h200-141gb"] = H200_141GB, ["nvidia-h200-141gb"] = H200_141GB,
        ["a100-80gb"] = A100_80GB, ["a100 80gb"] = A100_80GB, ["nvidia-a100-80gb"] = A100_80GB, ["a100_80gb"] = A100_80GB,
        ["a100"] = A100_40GB, ["a100-40gb"] = A100_40GB, ["a100 40gb"] = A100_40GB, ["nvidia-tesla-a100"] = A100_40GB,
        ["a10g"] = A10G, ["a10"] = A10, ["l4"] = L4, ["nvidia-l4"] = L4, ["l40s"] = L40S,
        ["t4"] = T4, ["nvidia-tesla-t4"] = T4,
        ["v100"] = V100_16GB, ["v100-16gb"] = V100_16GB, ["v100m16"] = V100_16GB, ["nvidia-tesla-v100"] = V100_16GB,
        ["v100-32gb"] = V100_32GB, ["v100m32"] = V100_32GB,
        ["k80"] = K80, ["p100"] = P100, ["nvidia-tesla-p100"] = P100,
        // Seed catalog spellings: AWS (ec2instances.info), Azure (SkyPilot catalog), GCP (Cloud Billing Catalog).
        ["nvidia h100"] = H100_80GB, ["h100-80gb-mega"] = H100_80GB, ["nvidia h200"] = H200_141GB,
        ["nvidia a10g"] = A10G, ["nvidia l4"] = L4, ["nvidia l40s"] = L40S, ["nvidia t4 tensor core"] = T4,
        ["nvidia tesla k80"] = K80, ["nvidia tesla v100"] = V100_16GB, ["nvidia a100"] = A100_40GB,
        ["m60"] = M60, ["nvidia tesla m60"] = M60, ["k520"] = K520, ["nvidia grid k520"] = K520,
        // T4G is a T4 on an Arm (Graviton) host: kept apart so x86 images are never placed on it.
        ["t4g"] = T4G, ["nvidia t4g tensor core"] = T4G,
        ["b200"] = B200, ["nvidia b200"] = B200, ["b300"] = B300, ["nvidia b300"] = B300,
        ["rtx pro 6000"] = RtxPro6000, ["rtx-pro-6000"] = RtxPro6000, ["nvidia-rtx-pro-6000"] = RtxPro6000,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns the normalized name, or the trimmed raw name upper-cased when it is not a known alias.</summary>
    public static string Normalize(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var trimmed = raw.Trim();
        return Aliases.TryGetValue(trimmed, out var normalized) ? normalized : trimmed.ToUpperInvariant();
    }

    /// <summary>Every normalized name, sorted.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Aliases.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static bool IsKnown(string raw) => Aliases.ContainsKey(raw.Trim()) || All.Contains(raw.Trim(), StringComparer.OrdinalIgnoreCase);
}
