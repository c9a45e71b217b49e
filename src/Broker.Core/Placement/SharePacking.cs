namespace Broker.Core.Placement;

/// <summary>
/// A node as share packing sees it: its GPUs, how many are held whole, its shard granularity (Slurm gres/shard:
/// <paramref name="ShardsPerGpu"/> per GPU) and the shards in use on each GPU opened for sharing. One job's shards
/// come from one GPU, so a GPU's free shards are only usable by a job that fits in them.
/// </summary>
public sealed record ShareableNode(string Name, string GpuModel, int GpuMemoryGb, int TotalGpus, int WholeGpusUsed, int ShardsPerGpu,
    IReadOnlyList<int> ShardsUsedOnSharedGpus, bool Schedulable = true)
{
    /// <summary>GPUs neither held whole nor opened for sharing.</summary>
    public int FreshGpus => Math.Max(0, TotalGpus - WholeGpusUsed - ShardsUsedOnSharedGpus.Count);
}

/// <summary>Where a shared job goes: a node, the GPU (index into the node's shared GPUs; a new one when it opens a fresh GPU)
/// and the shards (and so the share) it reserves there.</summary>
public sealed record SharePlacement(string Node, int SharedGpu, int Shards, decimal ReservedShare, bool OpensFreshGpu);

/// <summary>
/// Packs fractional-GPU jobs (ADR 0011). Rules, right for any trace: a share is rounded UP to the node's shard granularity
/// (what is reserved and billed); a job goes first onto a GPU already shared, the one left with the fewest free shards
/// (best fit over shares); only when none fits does it open a fresh GPU, on the node left with the fewest fresh GPUs (so
/// whole GPUs and whole nodes stay free for whole-GPU and gang jobs). A GPU's shards are never over-committed.
/// </summary>
public static class SharePacking
{
    /// <summary>Shards a share needs on a GPU cut into <paramref name="shardsPerGpu"/>: rounded up, at least one, at most all.</summary>
    public static int ShardsFor(decimal share, int shardsPerGpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardsPerGpu);
        if (share <= 0m || share >= 1m)
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "A share is greater than 0 and less than 1.");
        }
        return (int)Math.Clamp(Math.Ceiling(share * shardsPerGpu), 1, shardsPerGpu);
    }

    /// <summary>The share actually reserved (and billed) on a GPU cut into <paramref name="shardsPerGpu"/>.</summary>
    public static decimal ReservedShare(decimal share, int shardsPerGpu) => (decimal)ShardsFor(share, shardsPerGpu) / shardsPerGpu;

    /// <summary>The best place for a shared job among the nodes it accepts, or null when no GPU has room (the job waits or bursts).</summary>
    public static SharePlacement? Choose(IEnumerable<ShareableNode> nodes, decimal share, IReadOnlyCollection<string> acceptableModels,
        int minMemoryGb)
    {
        SharePlacement? best = null;
        (decimal Leftover, int FreshLeft, string Name, int Gpu) bestKey = (decimal.MaxValue, int.MaxValue, "", 0);
        foreach (var node in nodes)
        {
            if (!node.Schedulable || node.ShardsPerGpu <= 0 || node.GpuMemoryGb < minMemoryGb
                || (acceptableModels.Count > 0 && !acceptableModels.Contains(node.GpuModel, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }
            var shards = ShardsFor(share, node.ShardsPerGpu);
            for (var gpu = 0; gpu < node.ShardsUsedOnSharedGpus.Count; gpu++)
            {
                var leftover = node.ShardsPerGpu - node.ShardsUsedOnSharedGpus[gpu] - shards;
                Consider(leftover >= 0, (LeftoverOfAGpu(leftover, node.ShardsPerGpu), -1, node.Name, gpu), node, gpu, shards, opensFresh: false);
            }
            // Opening a fresh GPU ranks after every open GPU with room; among nodes, the one left with the fewest fresh GPUs.
            Consider(node.FreshGpus > 0, (decimal.MaxValue, node.FreshGpus - 1, node.Name, 0), node, node.ShardsUsedOnSharedGpus.Count, shards,
                opensFresh: true);
        }
        return best;

        void Consider(bool fits, (decimal, int, string, int) key, ShareableNode node, int gpu, int shards, bool opensFresh)
        {
            if (fits && key.CompareTo(bestKey) < 0)
            {
                bestKey = key;
                best = new SharePlacement(node.Name, gpu, shards, (decimal)shards / node.ShardsPerGpu, opensFresh);
            }
        }
    }

    /// <summary>
    /// Free shards left on a GPU as a part of one GPU: best fit compares GPUs of nodes cut into different shard counts (8 on
    /// an H100, 4 on an L4), where one shard left on a 4-shard GPU is more room than 100 on a 1000-shard one.
    /// </summary>
    internal static decimal LeftoverOfAGpu(int leftoverShards, int shardsPerGpu) => (decimal)leftoverShards / shardsPerGpu;

    /// <summary>The node after the placement: the chosen GPU's shards grow (a fresh GPU joins the shared ones).</summary>
    public static ShareableNode After(ShareableNode node, SharePlacement placement)
    {
        var used = node.ShardsUsedOnSharedGpus.ToList();
        if (placement.OpensFreshGpu)
        {
            used.Add(0);
        }
        used[placement.SharedGpu] += placement.Shards;
        return node with { ShardsUsedOnSharedGpus = used };
    }
}
