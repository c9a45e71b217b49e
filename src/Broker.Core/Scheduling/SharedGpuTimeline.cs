using Broker.Core.Placement;

namespace Broker.Core.Scheduling;

/// <summary>
/// Running shared jobs (ADR 0011) as the on-prem timeline must see them: a shared GPU frees as a whole GPU only when its
/// last tenant ends, so each node's shared GPUs are one-GPU entries, not one entry per tenant. Counted per tenant, four
/// quarter-GPU jobs on one GPU filled four of the node's slots with their ends and pushed the node's whole-GPU jobs off
/// the timeline, so whole-GPU and gang jobs planned on GPUs that were still busy (the replay already counts each shared
/// GPU once). Which GPU a tenant holds is known on a node with one shared GPU, and elsewhere where the inventory sync read it
/// from Slurm (<c>gres_detail</c>, <see cref="OnPrem.OnPremNodeRecord.ShardHolders"/>); <c>gpuOf</c> gives it by job id, as an
/// index into the node's <see cref="OnPremNode.SharedGpuShards"/>.
/// </summary>
public static class SharedGpuTimeline
{
    /// <summary>
    /// A shared GPU whose tenants are all known (<see cref="OnPremNode.TenantsExplaining"/>) frees at its last tenant's end;
    /// the node's other k shared GPUs get the k latest ends of the remaining tenants: never earlier than the GPUs really free.
    /// Call it with the nodes <see cref="WithTenants"/> returned.
    /// </summary>
    public static IReadOnlyList<RunningOnPremJob> Collapse(IReadOnlyList<RunningOnPremJob> running, IReadOnlySet<string> sharedJobIds,
        IReadOnlyList<OnPremNode> nodes, IReadOnlyDictionary<string, int>? gpuOf = null)
    {
        var byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var whole = running.Where(r => !sharedJobIds.Contains(r.JobId));
        var shared = running.Where(r => sharedJobIds.Contains(r.JobId)).GroupBy(r => r.Node, StringComparer.Ordinal)
            .SelectMany(g => OnNode(byName.GetValueOrDefault(g.Key), [.. g], gpuOf ?? new Dictionary<string, int>()));
        return [.. whole, .. shared];
    }

    private static IEnumerable<RunningOnPremJob> OnNode(OnPremNode? node, List<RunningOnPremJob> tenants, IReadOnlyDictionary<string, int> gpuOf)
    {
        var gpus = node?.SharedGpuShards?.Count ?? 0;
        var settled = Enumerable.Range(0, gpus).Where(g => node!.TenantsExplaining(g) is not null).ToHashSet();
        int? GpuOf(RunningOnPremJob r) => gpus == 1 ? 0 : gpuOf.TryGetValue(r.JobId, out var g) ? g : null;
        var onSettled = tenants.Where(r => GpuOf(r) is { } g && settled.Contains(g)).ToList();
        var lastPerSettledGpu = onSettled.GroupBy(r => GpuOf(r)!.Value).Select(Latest);
        var rest = tenants.Except(onSettled).OrderByDescending(r => r.ExpectedEnd).ThenBy(r => r.JobId, StringComparer.Ordinal)
            .Take(gpus - settled.Count);
        return [.. lastPerSettledGpu.Concat(rest).Select(r => r with { Gpus = 1 })];
    }

    private static RunningOnPremJob Latest(IEnumerable<RunningOnPremJob> tenants) =>
        tenants.OrderByDescending(r => r.ExpectedEnd).ThenBy(r => r.JobId, StringComparer.Ordinal).First();

    /// <summary>
    /// The running shared jobs as tenants of their GPU, where that is certain: on a node with exactly one shared GPU every
    /// shared job running there is on it; on a node with several, a job whose GPU <paramref name="gpuOf"/> gives.
    /// <paramref name="shares"/> gives each shared job's share. Whether the tenants explain all the shards in use on a GPU (a
    /// tenant Slurm has not counted yet, or whose GPU it did not say) is <see cref="OnPremNode.TenantsExplaining"/>: if they do
    /// not, the planner frees the GPU's shards only when the GPU frees whole.
    /// </summary>
    public static IReadOnlyList<OnPremNode> WithTenants(IReadOnlyList<OnPremNode> nodes, IReadOnlyList<RunningOnPremJob> running,
        IReadOnlyDictionary<string, decimal> shares, IReadOnlyDictionary<string, int>? gpuOf = null)
    {
        var byNode = running.Where(r => shares.ContainsKey(r.JobId)).ToLookup(r => r.Node, StringComparer.Ordinal);
        return [.. nodes.Select(n =>
        {
            if (n.ShardsPerGpu <= 0 || n.SharedGpuShards is not { Count: > 0 } gpus)
            {
                return n;
            }
            var tenants = byNode[n.Name].Where(r => shares[r.JobId] is > 0m and < 1m)
                .Select(r => (Job: r, Gpu: gpus.Count == 1 ? 0 : gpuOf?.GetValueOrDefault(r.JobId, -1) ?? -1))
                .Where(t => t.Gpu >= 0 && t.Gpu < gpus.Count)
                .Select(t => new SharedTenant(t.Gpu, SharePacking.ShardsFor(shares[t.Job.JobId], n.ShardsPerGpu), t.Job.ExpectedEnd))
                .ToList();
            return gpus.Count > 1 && tenants.Count == 0 ? n : n with { SharedTenants = tenants };
        })];
    }
}
