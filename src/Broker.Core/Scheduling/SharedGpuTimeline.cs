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
}
