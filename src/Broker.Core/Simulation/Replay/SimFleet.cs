using Broker.Core.Placement;

namespace Broker.Core.Simulation;

/// <summary>
/// The simulated on-prem nodes and their GPUs in use, grouped into pools of one GPU model. Over-allocation is a bug and
/// throws. It also counts, per pool, the pending jobs that could run there, for "utilization while jobs wait".
/// </summary>
internal sealed class SimFleet
{
    private readonly Node[] nodes;
    private readonly Dictionary<string, Node> byName;
    private readonly string[] poolModels;
    private readonly int[] poolLargestNode;
    private readonly int[] waitingFor;

    public SimFleet(OnPremFleet fleet)
    {
        poolModels = fleet.Nodes.Select(g => g.GpuModel).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToArray();
        nodes = fleet.Nodes
            .SelectMany(g => Enumerable.Range(0, g.Count).Select(i => new Node(g.NodeName(i), g.GpuModel, g.GpuMemoryGb,
                g.GpusPerNode, Array.FindIndex(poolModels, m => string.Equals(m, g.GpuModel, StringComparison.OrdinalIgnoreCase)))))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
        byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Capacity = nodes.Sum(n => n.Total);
        PoolCapacity = poolModels.Select((_, p) => nodes.Where(n => n.Pool == p).Sum(n => n.Total)).ToArray();
        PoolBusy = new int[poolModels.Length];
        poolLargestNode = poolModels.Select((_, p) => nodes.Where(n => n.Pool == p).Select(n => n.Total).DefaultIfEmpty(0).Max()).ToArray();
        waitingFor = new int[poolModels.Length];
    }

    public int Capacity { get; }

    public int Busy { get; private set; }

    public int[] PoolCapacity { get; }

    public int[] PoolBusy { get; }

    public bool IsWanted(int pool) => waitingFor[pool] > 0;

    public IReadOnlyList<OnPremNode> Snapshot() =>
        nodes.Select(n => new OnPremNode(n.Name, n.Model, n.MemoryGb, n.Total, n.Total - n.Used)).ToArray();

    /// <summary>The pools where the job could ever run: an accepted model and a node with enough GPUs.</summary>
    public int[] PoolsFor(TraceJob job) => Enumerable.Range(0, poolModels.Length)
        .Where(p => poolLargestNode[p] >= job.Gpus
            && (job.GpuModels.Count == 0 || job.GpuModels.Contains(poolModels[p], StringComparer.OrdinalIgnoreCase)))
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
        if (n.Used + gpus > n.Total)
        {
            throw new InvalidOperationException($"Node {node} over-allocated: {n.Used} + {gpus} > {n.Total}.");
        }
        n.Used += gpus;
        Busy += gpus;
        PoolBusy[n.Pool] += gpus;
    }

    public void Release(string node, int gpus)
    {
        var n = byName[node];
        n.Used -= gpus;
        Busy -= gpus;
        PoolBusy[n.Pool] -= gpus;
    }

    private sealed class Node(string name, string model, int memoryGb, int total, int pool)
    {
        public string Name { get; } = name;

        public string Model { get; } = model;

        public int MemoryGb { get; } = memoryGb;

        public int Total { get; } = total;

        public int Pool { get; } = pool;

        public int Used { get; set; }
    }
}
