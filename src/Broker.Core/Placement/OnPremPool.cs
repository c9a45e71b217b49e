using System.Numerics;

namespace Broker.Core.Placement;

/// <summary>
/// The nodes of one GPU model and memory size, indexed for a pass: by free-now count (best-fit) and, for each gang
/// size g, by when the g-th GPU of each node becomes free (wait estimate) and how long its g-th idle GPU stays idle
/// (backfill). Ties break on the node index, which follows node-name order, so the answers are deterministic.
/// Every index is sized once for the pool's nodes (a bit set per free count, a tournament tree per g), so re-indexing a
/// node after each placement or reservation allocates nothing.
/// </summary>
internal sealed class OnPremPool
{
    private readonly long now;
    private readonly NodeSlots[] members;
    private readonly int[] memberIndex;
    private readonly int[] freeOf;
    private readonly ulong[][] byFree;
    private readonly int[] countByFree;
    private readonly NodeTournament?[] byKthFree;
    private readonly NodeTournament?[] byKthAvailable;

    /// <param name="members">The pool's nodes in node-index order.</param>
    public OnPremPool(string model, int memoryGb, NodeSlots[] members, long now)
    {
        Model = model;
        MemoryGb = memoryGb;
        this.now = now;
        this.members = members;
        memberIndex = [.. members.Select(n => n.Index)];
        MaxGpus = members.Max(n => n.Total);
        var words = (members.Length + 63) / 64;
        byFree = [.. Enumerable.Range(0, MaxGpus + 1).Select(_ => new ulong[words])];
        countByFree = new int[MaxGpus + 1];
        freeOf = new int[members.Length];
        byKthFree = new NodeTournament?[MaxGpus + 1];
        byKthAvailable = new NodeTournament?[MaxGpus + 1];
        Span<long> until = stackalloc long[MaxGpus];
        for (var g = 1; g <= MaxGpus; g++)
        {
            byKthFree[g] = new NodeTournament(members.Length, largestWins: false);
            byKthAvailable[g] = new NodeTournament(members.Length, largestWins: true);
        }
        for (var position = 0; position < members.Length; position++)
        {
            var node = members[position];
            var free = node.FreeAt(now);
            freeOf[position] = free;
            byFree[free][position >> 6] |= 1UL << (position & 63);
            countByFree[free]++;
            InitialMaxFree = Math.Max(InitialMaxFree, free);
            var idle = node.AvailableUntil(now, until);
            for (var g = 1; g <= node.Total; g++)
            {
                byKthFree[g]!.Set(position, node.KthFree(g));
                byKthAvailable[g]!.Set(position, KthAvailable(until, idle, g));
            }
        }
        for (var g = 1; g <= MaxGpus; g++)
        {
            byKthFree[g]!.Build();
            byKthAvailable[g]!.Build();
        }
    }

    public string Model { get; }

    public int MemoryGb { get; }

    public int MaxGpus { get; }

    public int InitialMaxFree { get; }

    /// <summary>The node with the fewest free GPUs that still fits <paramref name="gpus"/> (best-fit), or -1.</summary>
    public (int Free, int Node) BestFit(int gpus)
    {
        for (var free = gpus; free <= MaxGpus; free++)
        {
            if (countByFree[free] > 0)
            {
                return (free, memberIndex[Next(byFree[free], 0)]);
            }
        }
        return (-1, -1);
    }

    /// <summary>Best-fit among the nodes that <paramref name="fits"/> accepts (free CPUs and memory), or -1.</summary>
    public (int Free, int Node) BestFit<TFits>(int gpus, in TFits fits) where TFits : struct, INodeFilter
    {
        for (var free = gpus; free <= MaxGpus; free++)
        {
            if (countByFree[free] == 0)
            {
                continue;
            }
            for (var position = Next(byFree[free], 0); position >= 0; position = Next(byFree[free], position + 1))
            {
                if (fits.Accepts(memberIndex[position]))
                {
                    return (free, memberIndex[position]);
                }
            }
        }
        return (-1, -1);
    }

    /// <summary>The node whose <paramref name="gpus"/>-th GPU frees first in the plan, or null when none is that big.</summary>
    public (long At, int Node)? EarliestStart(int gpus) =>
        gpus >= 1 && gpus <= MaxGpus && byKthFree[gpus]!.Winner is var position and >= 0
            ? (byKthFree[gpus]!.Value(position), memberIndex[position])
            : null;

    /// <summary>
    /// Backfill: the node whose idle GPUs (free, or held for a later start) stay idle longest, if a job of
    /// <paramref name="gpus"/> GPUs ending at <paramref name="end"/> fits there; otherwise null.
    /// </summary>
    public int? BackfillNode(int gpus, long end) =>
        gpus >= 1 && gpus <= MaxGpus && byKthAvailable[gpus]!.Winner is var position and >= 0
            && byKthAvailable[gpus]!.Value(position) >= end
            ? memberIndex[position]
            : null;

    /// <summary>Re-reads one node's timeline after it changed (a placement, a reservation, a longer shared tenancy).</summary>
    public void Update(NodeSlots node)
    {
        var position = Array.BinarySearch(memberIndex, node.Index);
        var free = node.FreeAt(now);
        var previous = freeOf[position];
        if (free != previous)
        {
            byFree[previous][position >> 6] &= ~(1UL << (position & 63));
            countByFree[previous]--;
            byFree[free][position >> 6] |= 1UL << (position & 63);
            countByFree[free]++;
            freeOf[position] = free;
        }
        Span<long> until = stackalloc long[node.Total];
        var idle = node.AvailableUntil(now, until);
        for (var g = 1; g <= node.Total; g++)
        {
            byKthFree[g]!.Update(position, node.KthFree(g));
            byKthAvailable[g]!.Update(position, KthAvailable(until, idle, g));
        }
    }

    /// <summary><see cref="NodeSlots.KthAvailable"/> from the node's sorted idle horizons.</summary>
    private static long KthAvailable(ReadOnlySpan<long> until, int idle, int g) => idle < g ? long.MinValue : until[idle - g];

    /// <summary>The first set bit at or after <paramref name="from"/>, or -1.</summary>
    private static int Next(ulong[] bits, int from)
    {
        var word = from >> 6;
        if (word >= bits.Length)
        {
            return -1;
        }
        var current = bits[word] & (ulong.MaxValue << (from & 63));
        while (current == 0)
        {
            if (++word >= bits.Length)
            {
                return -1;
            }
            current = bits[word];
        }
        return (word << 6) + BitOperations.TrailingZeroCount(current);
    }
}

/// <summary>A node test passed by value (no delegate, no closure) to <see cref="OnPremPool.BestFit{TFits}"/>.</summary>
internal interface INodeFilter
{
    bool Accepts(int node);
}

/// <summary>
/// A tournament (segment) tree over a pool's node positions: each inner slot holds the position that wins its range, the
/// smallest value (or the largest with <c>largestWins</c>), ties to the lower position (or the higher), positions never
/// set never winning. The same order as a sorted set of (value, node) read at its min (or max), at O(log n) per update
/// and no allocation.
/// </summary>
internal sealed class NodeTournament
{
    private readonly bool largestWins;
    private readonly int leaves;
    private readonly int[] winners;
    private readonly long[] values;

    public NodeTournament(int positions, bool largestWins)
    {
        this.largestWins = largestWins;
        leaves = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, positions));
        winners = new int[2 * leaves];
        Array.Fill(winners, -1);
        values = new long[positions];
    }

    /// <summary>The winning position, or -1 when no position was set.</summary>
    public int Winner => winners[1];

    public long Value(int position) => values[position];

    /// <summary>Sets a leaf before <see cref="Build"/>.</summary>
    public void Set(int position, long value)
    {
        values[position] = value;
        winners[leaves + position] = position;
    }

    public void Build()
    {
        for (var slot = leaves - 1; slot >= 1; slot--)
        {
            winners[slot] = Better(winners[2 * slot], winners[2 * slot + 1]);
        }
    }

    public void Update(int position, long value)
    {
        if (values[position] == value && winners[leaves + position] == position)
        {
            return;
        }
        values[position] = value;
        winners[leaves + position] = position;
        for (var slot = (leaves + position) >> 1; slot >= 1; slot >>= 1)
        {
            winners[slot] = Better(winners[2 * slot], winners[2 * slot + 1]);
        }
    }

    private int Better(int a, int b)
    {
        if (a < 0 || b < 0)
        {
            return a < 0 ? b : a;
        }
        var (va, vb) = (values[a], values[b]);
        if (va != vb)
        {
            return (va < vb) != largestWins ? a : b;
        }
        return (a < b) != largestWins ? a : b;
    }
}
