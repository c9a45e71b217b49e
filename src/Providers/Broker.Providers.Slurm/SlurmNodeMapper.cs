using System.Text.RegularExpressions;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Slurm;

/// <summary>Turns a slurmrestd node into Broker's view; nodes without GPUs (whole or MIG slices) are left out.</summary>
internal static partial class SlurmNodeMapper
{
    public const string UntypedGpuModel = "UNKNOWN";

    /// <summary>The model of a node whose GPUs are all MIG slices: it has no whole GPUs, only <see cref="OnPremNodeInfo.Mig"/>.</summary>
    public const string MigGpuModel = "MIG";

    /// <remarks>A node with several GPU types is reported by its largest type only (OnPremNodeInfo has one model). GPU GRES
    /// whose type is a MIG profile (<c>gpu:1g.10gb:4</c>) are slices, not whole GPUs; <c>shard</c> GRES are the GPUs' shares.</remarks>
    /// <param name="grants">The shards this node's running jobs hold, by GPU index, from their <c>gres_detail</c>
    /// (<see cref="ShardGrants"/>; Slurm 22.05's node <c>gres_used</c> counts GPUs with shards, not shards).</param>
    public static OnPremNodeInfo? ToNodeInfo(SlurmNode node, IReadOnlyList<ShardGrant>? grants = null)
    {
        var gres = GresParser.Parse(node.Gres);
        var usedGres = GresParser.Parse(node.GresUsed);
        var gpus = gres.Where(g => IsGpu(g) && !IsMigProfile(g.Type)).ToList();
        var mig = MigSlicesOf(gres, usedGres);
        if (gpus.Sum(g => g.Count) == 0 && mig is null)
        {
            return null;
        }
        var state = SlurmNodeStates.Map(node.State, node.StateFlags);
        var cpus = node.Cpus ?? 0;
        var memory = (int)Math.Min(int.MaxValue, node.RealMemory ?? 0);
        if (gpus.Sum(g => g.Count) == 0)
        {
            return new OnPremNodeInfo(node.Name, MigGpuModel, 0, 0, state, cpus, memory, Mig: mig);
        }
        var main = gpus.GroupBy(g => g.Type, StringComparer.OrdinalIgnoreCase)
            .Select(g => (Type: g.Key, Count: g.Sum(e => e.Count)))
            .OrderByDescending(g => g.Count)
            .First();
        var used = usedGres.Where(g => IsGpu(g) && !IsMigProfile(g.Type))
            .Where(g => main.Type is null || g.Type is null || string.Equals(g.Type, main.Type, StringComparison.OrdinalIgnoreCase))
            .Sum(g => g.Count);
        var model = main.Type is null ? UntypedGpuModel : GpuModels.Normalize(main.Type);
        var shardTotal = gres.Where(IsShard).Sum(g => g.Count);
        // Shared GPUs in GPU index order; a Broker job's place among them is what the engine knows it by.
        var sharedGpus = shardTotal == 0 ? [] : (grants ?? []).GroupBy(g => g.GpuIndex).Where(g => g.Sum(s => s.Shards) > 0).OrderBy(g => g.Key).ToList();
        IReadOnlyList<int>? inUse = sharedGpus.Count == 0
            ? null
            : [.. sharedGpus.Select(g => Math.Min(g.Sum(s => s.Shards), shardTotal / Math.Max(1, main.Count)))];
        IReadOnlyList<ShardHolder>? holders = sharedGpus.Count == 0
            ? null
            : [.. sharedGpus.SelectMany((g, position) => g.Where(s => s.AllocationId is not null).Select(s => new ShardHolder(s.AllocationId!.Value, position)))];
        return new OnPremNodeInfo(node.Name, model, main.Count, Math.Min(used, main.Count), state, cpus, memory, shardTotal, inUse, mig,
            holders is { Count: > 0 } ? holders : null);
    }

    /// <summary>
    /// The shards each running job holds on its node, by node, from the jobs' <c>gres_detail</c> (<see cref="ShardDetail"/>);
    /// only single-node jobs, as a shared job always is. A Broker job carries its allocation id (its name).
    /// </summary>
    public static Dictionary<string, List<ShardGrant>> ShardGrants(IEnumerable<SlurmJob> jobs)
    {
        var byNode = new Dictionary<string, List<ShardGrant>>(StringComparer.Ordinal);
        foreach (var job in jobs.Where(j => j.JobState is "RUNNING" or "CONFIGURING" or "COMPLETING" or "SUSPENDED"))
        {
            if (job.Nodes is not { Length: > 0 } node || node.IndexOfAny(['[', ',']) >= 0 || job.GresDetail is not { Count: 1 } detail
                || ShardDetail.Parse(detail[0]) is not { } held)
            {
                continue;
            }
            var grants = byNode.TryGetValue(node, out var known) ? known : byNode[node] = [];
            grants.Add(new ShardGrant(SlurmJobNames.AllocationOf(job.Name), held.GpuIndex, held.Shards));
        }
        return byNode;
    }

    public static bool IsGpu(GresEntry entry) => string.Equals(entry.Name, "gpu", StringComparison.OrdinalIgnoreCase);

    public static bool IsShard(GresEntry entry) => string.Equals(entry.Name, "shard", StringComparison.OrdinalIgnoreCase);

    public static bool IsMigProfile(string? type) => type is not null && MigProfile().IsMatch(type);

    private static List<MigSlices>? MigSlicesOf(IReadOnlyList<GresEntry> gres, IReadOnlyList<GresEntry> used)
    {
        var slices = gres.Where(g => IsGpu(g) && IsMigProfile(g.Type))
            .GroupBy(g => g.Type!.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var total = g.Sum(e => e.Count);
                var inUse = used.Where(u => IsGpu(u) && string.Equals(u.Type, g.Key, StringComparison.OrdinalIgnoreCase)).Sum(u => u.Count);
                return new MigSlices(g.Key, total, Math.Min(total, inUse));
            })
            .Where(s => s.Total > 0)
            .ToList();
        return slices.Count == 0 ? null : slices;
    }

    [GeneratedRegex(@"^[1-7]g\.[0-9]{1,3}gb\z", RegexOptions.IgnoreCase)]
    private static partial Regex MigProfile();
}
