namespace Broker.Core.Placement;

/// <summary>
/// The on-prem side of a pass: best-fit gang placement on idle GPUs now, and a list-scheduling timeline (running jobs'
/// expected ends plus the jobs queued ahead in this pass) for wait estimates and backfill.
/// </summary>
internal sealed partial class OnPremPlanner
{
    private readonly long now;
    private readonly NodeSlots[] nodes;
    private readonly OnPremPool[] pools;
    private readonly int[] freeCpus;
    private readonly int[] freeMemoryGb;
    private readonly List<SharedGpuPlan>[] sharedGpus;
    private readonly Dictionary<string, ShareEstimate> shareEstimates = new(StringComparer.Ordinal);
    private readonly Dictionary<RequestShape, int[]> poolsByShape = [];
    private readonly long overdue;

    public OnPremPlanner(PlacementSnapshot snapshot, PlacementOptions options)
    {
        now = snapshot.Now.UtcTicks;
        overdue = now + options.RecheckInterval.Ticks;
        var runningByNode = snapshot.RunningJobs.ToLookup(r => r.Node, StringComparer.Ordinal);
        var usable = snapshot.Nodes.Where(n => n.Schedulable && n.TotalGpus > 0)
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
        var poolKeys = usable.Select(n => (n.GpuModel, n.GpuMemoryGb)).Distinct()
            .OrderBy(k => k.GpuModel, StringComparer.Ordinal).ThenBy(k => k.GpuMemoryGb).ToArray();
        var poolIndex = poolKeys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
        nodes = new NodeSlots[usable.Length];
        freeCpus = [.. usable.Select(n => n.FreeCpus)];
        freeMemoryGb = [.. usable.Select(n => n.FreeMemoryGb)];
        sharedGpus = [.. usable.Select(n => SharedGpusOf(n, options))];
        for (var i = 0; i < usable.Length; i++)
        {
            var node = usable[i];
            nodes[i] = new NodeSlots(i, node, poolIndex[(node.GpuModel, node.GpuMemoryGb)], InitialFreeTimes(node, runningByNode[node.Name], options));
        }
        pools = [.. poolKeys.Select((k, p) => new OnPremPool(k.GpuModel, k.GpuMemoryGb, [.. nodes.Where(n => n.Pool == p)], now))];
        Gangs = new GangPlanning(this, nodes, now);
        Mig = new MigPlanning(snapshot.Nodes);
    }

    /// <summary>MIG slices by profile (ADR 0011): a MIG job never takes whole GPUs.</summary>
    public MigPlanning Mig { get; }

    /// <summary>Planning for jobs larger than any node of their models (ADR 0012).</summary>
    public GangPlanning Gangs { get; }

    public NodeSlots Node(int index) => nodes[index];

    public int NodeCount => nodes.Length;

    /// <summary>When a running job's GPUs free in the plan: its expected end, or one recheck from now when it is overdue.</summary>
    public long FreeAtOf(RunningOnPremJob job) => job.ExpectedEnd.UtcTicks > now ? job.ExpectedEnd.UtcTicks : overdue;

    /// <summary>Frees a running job's GPUs on its node now (the job is moved); false, changing nothing, when the plan no longer
    /// has them as that job's (the pass queued a job behind it).</summary>
    public bool TryVacate(NodeSlots node, RunningOnPremJob job)
    {
        if (!node.TryVacate(FreeAtOf(job), job.Gpus, now))
        {
            return false;
        }
        Reindex(node);
        return true;
    }

    /// <summary>Starts a job on this node now (its GPUs are free now).</summary>
    public void PlaceOn(NodeSlots node, int gpus, TimeSpan duration)
    {
        node.PlaceNow(gpus, now, now + Math.Max(1, duration.Ticks));
        Reindex(node);
    }

    public OnPremPool Pool(int index) => pools[index];

    /// <summary>Indices of the pools whose model and memory the job accepts (cached per distinct request shape); none for a job refused on-prem.</summary>
    public int[] PoolsFor(PendingJob job) =>
        job.MigProfile is not null ? [] : PoolsFor(job.AcceptableGpuModels, job.MinGpuMemoryGb, job.OnPremRefusal);

    /// <summary>Indices of the pools of an acceptable model and memory (cached per shape); none when on-prem is refused.</summary>
    public int[] PoolsFor(IReadOnlyList<string> models, int minMemoryGb, string? onPremRefusal)
    {
        if (onPremRefusal is not null)
        {
            return [];
        }
        var shape = new RequestShape(models, minMemoryGb);
        if (!poolsByShape.TryGetValue(shape, out var result))
        {
            result = AcceptablePools(models, minMemoryGb);
            poolsByShape[shape] = result;
        }
        return result;
    }

    // Apart from PoolsFor so the closure over the request is allocated only on a cache miss, not on every call.
    private int[] AcceptablePools(IReadOnlyList<string> models, int minMemoryGb) =>
        [.. Enumerable.Range(0, pools.Length).Where(i => pools[i].MemoryGb >= minMemoryGb
            && (models.Count == 0 || models.Contains(pools[i].Model, StringComparer.OrdinalIgnoreCase)))];

    /// <summary>True when some acceptable node had enough idle GPUs before this pass placed anything.</summary>
    public bool FitsInitially(int[] jobPools, int gpus)
    {
        foreach (var p in jobPools)
        {
            if (pools[p].InitialMaxFree >= gpus)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Best-fit now: the acceptable node left with the fewest free GPUs that also has the job's CPU cores and memory free;
    /// backfill into held gaps as a fallback.
    /// </summary>
    public NodeSlots? TryPlaceNow(int[] jobPools, int gpus, TimeSpan duration, int cpus = 0, int memoryGb = 0)
    {
        var end = now + Math.Max(1, duration.Ticks);
        (int Free, int Node) best = (int.MaxValue, int.MaxValue);
        var fits = new FreeCpusAndMemory(freeCpus, freeMemoryGb, cpus, memoryGb);
        foreach (var p in jobPools)
        {
            var fit = cpus <= 0 && memoryGb <= 0 ? pools[p].BestFit(gpus) : pools[p].BestFit(gpus, fits);
            if (fit.Node >= 0 && (fit.Free, fit.Node).CompareTo(best) < 0)
            {
                best = fit;
            }
        }
        if (best.Node == int.MaxValue)
        {
            best = BestBackfill(jobPools, gpus, end);
        }
        if (best.Node == int.MaxValue || !fits.Accepts(best.Node))
        {
            return null;
        }
        var node = nodes[best.Node];
        node.PlaceNow(gpus, now, end);
        Reindex(node);
        freeCpus[best.Node] = Math.Max(0, freeCpus[best.Node] - Math.Max(0, cpus));
        freeMemoryGb[best.Node] = Math.Max(0, freeMemoryGb[best.Node] - Math.Max(0, memoryGb));
        return node;
    }

    /// <summary>The earliest planned start for a whole-GPU job on any acceptable node, or null when no node is big enough.</summary>
    private (DateTimeOffset Start, NodeSlots Node)? EstimateStart(int[] jobPools, int gpus)
    {
        (long At, int Node)? best = null;
        foreach (var p in jobPools)
        {
            if (pools[p].EarliestStart(gpus) is { } candidate && (best is null || candidate.CompareTo(best.Value) < 0))
            {
                best = candidate;
            }
        }
        if (best is null && Gangs.Estimate(jobPools, gpus) is { } gang)
        {
            return (new DateTimeOffset(gang.Start, TimeSpan.Zero), gang.Members[0]);
        }
        return best is { } b ? (new DateTimeOffset(Math.Max(b.At, now), TimeSpan.Zero), nodes[b.Node]) : null;
    }

    /// <summary>Queues the job on the node's timeline so later jobs see it in their wait estimates.</summary>
    public void Reserve(NodeSlots node, int gpus, TimeSpan duration)
    {
        if (gpus > node.Total)
        {
            Gangs.Reserve(node.Pool, gpus, duration);
            return;
        }
        node.Reserve(gpus, now, Math.Max(1, duration.Ticks));
        Reindex(node);
    }

    /// <summary>Changes one node's timeline and keeps its pool's indexes right (for <see cref="GangPlanning"/>).</summary>
    public void Change(NodeSlots node, Action<NodeSlots> change)
    {
        change(node);
        Reindex(node);
    }

    /// <summary>True when the node has the CPU cores and memory free that one member of a job asks for.</summary>
    public bool HasFree(NodeSlots node, int cpus, int memoryGb) => freeCpus[node.Index] >= cpus && freeMemoryGb[node.Index] >= memoryGb;

    /// <summary>Takes one member's CPU cores and memory on the node (for a gang placed now).</summary>
    public void Take(NodeSlots node, int cpus, int memoryGb)
    {
        freeCpus[node.Index] = Math.Max(0, freeCpus[node.Index] - Math.Max(0, cpus));
        freeMemoryGb[node.Index] = Math.Max(0, freeMemoryGb[node.Index] - Math.Max(0, memoryGb));
    }

    private (int, int) BestBackfill(int[] jobPools, int gpus, long end)
    {
        (int, int) best = (int.MaxValue, int.MaxValue);
        foreach (var p in jobPools)
        {
            if (pools[p].BackfillNode(gpus, end) is { } index)
            {
                var node = nodes[index];
                var usableNow = node.FreeAt(now) + node.Backfillable(now, end);
                if ((usableNow, index).CompareTo(best) < 0)
                {
                    best = (usableNow, index);
                }
            }
        }
        return best;
    }

    /// <summary>Keeps the node's pool indexes right after its timeline changed.</summary>
    private void Reindex(NodeSlots node) => pools[node.Pool].Update(node);

    private readonly record struct FreeCpusAndMemory(int[] FreeCpus, int[] FreeMemoryGb, int Cpus, int MemoryGb) : INodeFilter
    {
        public bool Accepts(int node) => FreeCpus[node] >= Cpus && FreeMemoryGb[node] >= MemoryGb;
    }

    private long[] InitialFreeTimes(OnPremNode node, IEnumerable<RunningOnPremJob> running, PlacementOptions options)
    {
        var idle = Math.Clamp(node.IdleGpus, 0, node.TotalGpus);
        var freeAt = new long[node.TotalGpus];
        var next = 0;
        for (; next < idle; next++)
        {
            freeAt[next] = now;
        }
        var overdue = now + options.RecheckInterval.Ticks;
        foreach (var job in running.OrderBy(r => r.ExpectedEnd).ThenBy(r => r.JobId, StringComparer.Ordinal))
        {
            for (var g = 0; g < job.Gpus && next < freeAt.Length; g++)
            {
                freeAt[next++] = job.ExpectedEnd.UtcTicks > now ? job.ExpectedEnd.UtcTicks : overdue;
            }
        }
        for (; next < freeAt.Length; next++)
        {
            freeAt[next] = now + options.UnknownBusyEstimate.Ticks;
        }
        return freeAt;
    }
}
