using Broker.Core.Placement;

namespace Broker.Core.Scheduling;

/// <summary>
/// Running shared jobs (ADR 0011) as the on-prem timeline must see them: a shared GPU frees as a whole GPU only when its
/// last tenant ends, so each node's shared GPUs are one-GPU entries, not one entry per tenant. Counted per tenant, four
/// quarter-GPU jobs on one GPU filled four of the node's slots with their ends and pushed the node's whole-GPU jobs off
/// the timeline, so whole-GPU and gang jobs planned on GPUs that were still busy (the replay already counts each shared
/// GPU once). Which tenant holds which GPU is not known here (Slurm reports shards per GPU, not per job), so a node with
/// k shared GPUs gets its k latest tenant ends: never earlier than the GPUs really free.
/// </summary>
public static class SharedGpuTimeline
{
    public static IReadOnlyList<RunningOnPremJob> Collapse(IReadOnlyList<RunningOnPremJob> running, IReadOnlySet<string> sharedJobIds,
        IReadOnlyList<OnPremNode> nodes)
    {
        var sharedGpus = nodes.ToDictionary(n => n.Name, n => n.SharedGpuShards?.Count ?? 0, StringComparer.Ordinal);
        var whole = running.Where(r => !sharedJobIds.Contains(r.JobId));
        var shared = running.Where(r => sharedJobIds.Contains(r.JobId)).GroupBy(r => r.Node, StringComparer.Ordinal)
            .SelectMany(g => g.OrderByDescending(r => r.ExpectedEnd).ThenBy(r => r.JobId, StringComparer.Ordinal)
                .Take(sharedGpus.GetValueOrDefault(g.Key)).Select(r => r with { Gpus = 1 }));
        return [.. whole, .. shared];
    }

    /// <summary>
    /// The running shared jobs as tenants of their GPU, where that is certain: on a node with exactly one shared GPU, every
    /// shared job running there is on it. <paramref name="shares"/> gives each shared job's share. Whether the tenants explain
    /// all the shards in use (a tenant Slurm has not counted yet) is the planner's check (<c>OnPremPlanner.SharedGpusOf</c>):
    /// if they do not, it frees the GPU's shards only when the GPU frees whole.
    /// </summary>
    public static IReadOnlyList<OnPremNode> WithTenants(IReadOnlyList<OnPremNode> nodes, IReadOnlyList<RunningOnPremJob> running,
        IReadOnlyDictionary<string, decimal> shares)
    {
        var byNode = running.Where(r => shares.ContainsKey(r.JobId)).ToLookup(r => r.Node, StringComparer.Ordinal);
        return [.. nodes.Select(n =>
        {
            if (n.ShardsPerGpu <= 0 || n.SharedGpuShards is not { Count: 1 })
            {
                return n;
            }
            return n with
            {
                SharedTenants = [.. byNode[n.Name].Where(r => shares[r.JobId] is > 0m and < 1m)
                    .Select(r => new SharedTenant(0, SharePacking.ShardsFor(shares[r.JobId], n.ShardsPerGpu), r.ExpectedEnd))],
            };
        })];
    }
}
