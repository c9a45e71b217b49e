using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Slurm;

/// <summary>Turns a slurmrestd node into Broker's view; nodes without GPUs are left out.</summary>
internal static class SlurmNodeMapper
{
    public const string UntypedGpuModel = "UNKNOWN";

    /// <remarks>A node with several GPU types is reported by its largest type only (OnPremNodeInfo has one model).</remarks>
    public static OnPremNodeInfo? ToNodeInfo(SlurmNode node)
    {
        var gpus = GresParser.Parse(node.Gres).Where(IsGpu).ToList();
        if (gpus.Count == 0 || gpus.Sum(g => g.Count) == 0)
        {
            return null;
        }
        var main = gpus.GroupBy(g => g.Type, StringComparer.OrdinalIgnoreCase)
            .Select(g => (Type: g.Key, Count: g.Sum(e => e.Count)))
            .OrderByDescending(g => g.Count)
            .First();
        var used = GresParser.Parse(node.GresUsed).Where(IsGpu)
            .Where(g => main.Type is null || g.Type is null || string.Equals(g.Type, main.Type, StringComparison.OrdinalIgnoreCase))
            .Sum(g => g.Count);
        var model = main.Type is null ? UntypedGpuModel : GpuModels.Normalize(main.Type);
        return new OnPremNodeInfo(node.Name, model, main.Count, Math.Min(used, main.Count),
            SlurmNodeStates.Map(node.State, node.StateFlags), node.Cpus ?? 0, (int)Math.Min(int.MaxValue, node.RealMemory ?? 0));
    }

    public static bool IsGpu(GresEntry entry) => string.Equals(entry.Name, "gpu", StringComparison.OrdinalIgnoreCase);
}
