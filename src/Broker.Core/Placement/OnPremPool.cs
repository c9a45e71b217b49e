namespace Broker.Core.Placement;

/// <summary>
/// The nodes of one GPU model and memory size, indexed for a pass: by free-now count (best-fit) and, for each gang
/// size g, by when the g-th GPU of each node becomes free (wait estimate). Keys end in the node index, which follows
/// node-name order, so ties break deterministically.
/// </summary>
internal sealed class OnPremPool
{
    private readonly SortedSet<int>?[] byFree;
    private readonly SortedSet<(long At, int Node)>?[] byKthFree;
    private readonly SortedSet<(long Until, int Node)>?[] byKthAvailable;

    public OnPremPool(string model, int memoryGb, int maxGpus)
    {
        Model = model;
        MemoryGb = memoryGb;
        MaxGpus = maxGpus;
        byFree = new SortedSet<int>?[maxGpus + 1];
        byKthFree = new SortedSet<(long, int)>?[maxGpus + 1];
        byKthAvailable = new SortedSet<(long, int)>?[maxGpus + 1];
    }

    public string Model { get; }

    public int MemoryGb { get; }

    public int MaxGpus { get; }

    public int InitialMaxFree { get; private set; }

    public void Add(NodeSlots node, long now)
    {
        Index(node, now);
        InitialMaxFree = Math.Max(InitialMaxFree, node.FreeAt(now));
    }

    /// <summary>The node with the fewest free GPUs that still fits <paramref name="gpus"/> (best-fit), or -1.</summary>
    public (int Free, int Node) BestFit(int gpus)
    {
        for (var free = gpus; free <= MaxGpus; free++)
        {
            if (byFree[free] is { Count: > 0 } nodes)
            {
                return (free, nodes.Min);
            }
        }
        return (-1, -1);
    }

    /// <summary>Best-fit among the nodes that <paramref name="fits"/> accepts (free CPUs and memory), or -1.</summary>
    public (int Free, int Node) BestFit(int gpus, Func<int, bool> fits)
    {
        for (var free = gpus; free <= MaxGpus; free++)
        {
            if (byFree[free] is { Count: > 0 } nodes)
            {
                foreach (var node in nodes)
                {
                    if (fits(node))
                    {
                        return (free, node);
                    }
                }
            }
        }
        return (-1, -1);
    }

    /// <summary>The node whose <paramref name="gpus"/>-th GPU frees first in the plan, or null when none is that big.</summary>
    public (long At, int Node)? EarliestStart(int gpus) =>
        gpus <= MaxGpus && byKthFree[gpus] is { Count: > 0 } nodes ? nodes.Min : null;

    /// <summary>
    /// Backfill: the node whose idle GPUs (free, or held for a later start) stay idle longest, if a job of
    /// <paramref name="gpus"/> GPUs ending at <paramref name="end"/> fits there; otherwise null. (Only the maximum is read:
    /// a SortedSet view costs as much as the elements in it.)
    /// </summary>
    public int? BackfillNode(int gpus, long end) =>
        gpus <= MaxGpus && byKthAvailable[gpus] is { Count: > 0 } nodes && nodes.Max.Until >= end ? nodes.Max.Node : null;

    public void Remove(NodeSlots node, long now)
    {
        byFree[node.FreeAt(now)]?.Remove(node.Index);
        for (var g = 1; g <= node.Total; g++)
        {
            byKthFree[g]?.Remove((node.KthFree(g), node.Index));
            byKthAvailable[g]?.Remove((node.KthAvailable(g, now), node.Index));
        }
    }

    public void Index(NodeSlots node, long now)
    {
        (byFree[node.FreeAt(now)] ??= []).Add(node.Index);
        for (var g = 1; g <= node.Total; g++)
        {
            (byKthFree[g] ??= []).Add((node.KthFree(g), node.Index));
            (byKthAvailable[g] ??= []).Add((node.KthAvailable(g, now), node.Index));
        }
    }
}
