using Broker.Core.Placement;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Replay;

/// <summary>
/// The simulated on-prem nodes: GPUs held whole, and GPUs opened for sharing with the shards in use on each (ADR 0011),
/// grouped into pools of one GPU model. Over-allocation is a bug and throws. Busy GPUs count shares (a GPU holding a
/// quarter-GPU job is a quarter busy). It also counts, per pool, the pending jobs that could run there, for "utilization
/// while jobs wait".
/// </summary>
internal sealed class SimFleet
{
    private readonly SimNode[] nodes;
    private readonly Dictionary<string, SimNode> byName;
    private readonly string[] poolModels;
    private readonly int[][] poolNodeSizes;
    private readonly bool[] poolShares;
    private readonly int[] waitingFor;

    public SimFleet(OnPremFleet fleet)
    {
        poolModels = fleet.Nodes.Select(g => g.GpuModel).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToArray();
        nodes = fleet.Nodes
            .SelectMany(g => Enumerable.Range(0, g.Count).Select(i => new SimNode(g.NodeName(i), g.GpuModel, g.GpuMemoryGb,
                g.GpusPerNode, Array.FindIndex(poolModels, m => string.Equals(m, g.GpuModel, StringComparison.OrdinalIgnoreCase)), g.ShardsPerGpu)))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
        byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Capacity = nodes.Sum(n => n.Total);
        PoolCapacity = poolModels.Select((_, p) => nodes.Where(n => n.Pool == p).Sum(n => n.Total)).ToArray();
        PoolBusy = new decimal[poolModels.Length];
        poolNodeSizes = poolModels.Select((_, p) => nodes.Where(n => n.Pool == p).Select(n => n.Total).ToArray()).ToArray();
        poolShares = poolModels.Select((_, p) => nodes.Any(n => n.Pool == p && n.ShardsPerGpu > 0)).ToArray();
        waitingFor = new int[poolModels.Length];
    }

    public int Capacity { get; }

    /// <summary>GPUs in use, shares counted as their part of a GPU (decimal: shares add and leave without drift).</summary>
    public decimal Busy { get; private set; }

    public int[] PoolCapacity { get; }

    public decimal[] PoolBusy { get; }

    public bool IsWanted(int pool) => waitingFor[pool] > 0;

    /// <summary>The nodes as the engine sees them; <paramref name="tenants"/> are the running shared jobs (node, GPU index, shards,
    /// expected end), listed on their shared GPUs so the engine sees when shards free.</summary>
    public IReadOnlyList<OnPremNode> Snapshot(IEnumerable<(string Node, int Gpu, int Shards, DateTimeOffset End)> tenants)
    {
        var byNode = tenants.ToLookup(t => t.Node, StringComparer.Ordinal);
        return nodes.Select(n => new OnPremNode(n.Name, n.Model, n.MemoryGb, n.Total, n.Total - n.WholeUsed - n.Shared.Count,
            ShardsPerGpu: n.ShardsPerGpu, SharedGpuShards: n.Shared.Count == 0 ? null : n.Shared.Select(g => g.Shards).ToArray(),
            SharedTenants: n.Shared.Count == 0 ? null : [.. byNode[n.Name]
                .Select(t => new SharedTenant(n.Shared.FindIndex(g => g.Index == t.Gpu), t.Shards, t.End)).Where(t => t.SharedGpu >= 0)])).ToArray();
    }

    /// <summary>
    /// The pools where the job could ever run: an accepted model, and a node with enough GPUs or a gang of the pool's nodes
    /// (<see cref="GangShape"/>, the engine's rule); for a shared job, a pool whose GPUs can be shared.
    /// </summary>
    public int[] PoolsFor(TraceJob job) => Enumerable.Range(0, poolModels.Length)
        .Where(p => job.AcceptsModel(poolModels[p])
            && (job.GpuShare is null
                ? GangShape.Fit(job.Gpus, poolNodeSizes[p], CapacityFeasibility.MaxGangMembers) is not null
                : poolShares[p]))
        .ToArray();

    public void StartsWaiting(int[] pools, int delta)
    {
        foreach (var p in pools)
        {
            waitingFor[p] += delta;
        }
    }

    public void Allocate(string node, int gpus)
    {
        var n = byName[node];
        if (n.WholeUsed + n.Shared.Count + gpus > n.Total)
        {
            throw new InvalidOperationException($"Node {node} over-allocated: {n.WholeUsed} whole + {n.Shared.Count} shared + {gpus} > {n.Total}.");
        }
        n.WholeUsed += gpus;
        Count(n, gpus);
    }

    public void Release(string node, int gpus)
    {
        var n = byName[node];
        n.WholeUsed -= gpus;
        Count(n, -gpus);
    }

    /// <summary>
    /// Puts a share on the node's GPU the engine's own rule picks (<see cref="SharePacking.Choose"/> over this node: the one
    /// the engine chose when it picked the node), opening a fresh GPU only when no shared GPU has room. Returns the GPU (its
    /// index on the node, stable while it stays shared) and the shards reserved.
    /// </summary>
    public (int Gpu, int Shards, decimal ReservedShare) AllocateShare(string node, decimal share)
    {
        var n = byName[node];
        var room = new ShareableNode(n.Name, n.Model, n.MemoryGb, n.Total, n.WholeUsed, n.ShardsPerGpu, n.Shared.Select(g => g.Shards).ToArray());
        var placed = n.ShardsPerGpu > 0 ? SharePacking.Choose([room], share, [], 0) : null;
        if (placed is null)
        {
            throw new InvalidOperationException($"Node {node} has no GPU with room for a {share} share.");
        }
        if (placed.OpensFreshGpu)
        {
            var index = Enumerable.Range(0, n.Total).First(i => n.Shared.All(g => g.Index != i));
            n.Shared.Add(new SharedGpu(index));
        }
        var gpu = n.Shared[placed.SharedGpu];
        gpu.Shards += placed.Shards;
        Count(n, placed.ReservedShare);
        return (gpu.Index, placed.Shards, placed.ReservedShare);
    }

    public void ReleaseShare(string node, int gpuIndex, int shards)
    {
        var n = byName[node];
        var gpu = n.Shared.Single(g => g.Index == gpuIndex);
        gpu.Shards -= shards;
        if (gpu.Shards == 0)
        {
            n.Shared.Remove(gpu);
        }
        Count(n, -(decimal)shards / n.ShardsPerGpu);
    }

    private void Count(SimNode n, decimal gpus)
    {
        Busy += gpus;
        PoolBusy[n.Pool] += gpus;
    }

    private sealed class SimNode(string name, string model, int memoryGb, int total, int pool, int shardsPerGpu)
    {
        public string Name { get; } = name;

        public string Model { get; } = model;

        public int MemoryGb { get; } = memoryGb;

        public int Total { get; } = total;

        public int Pool { get; } = pool;

        public int ShardsPerGpu { get; } = shardsPerGpu;

        public int WholeUsed { get; set; }

        /// <summary>GPUs opened for sharing, in the order they opened (the engine's SharedGpuShards order).</summary>
        public List<SharedGpu> Shared { get; } = [];
    }

    private sealed class SharedGpu(int index)
    {
        public int Index { get; } = index;

        public int Shards { get; set; }
    }
}
