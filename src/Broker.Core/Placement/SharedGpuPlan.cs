namespace Broker.Core.Placement;

/// <summary>One shared job's shards on a shared GPU in a pass's plan, from its start to its expected end (ticks).</summary>
internal readonly record struct Tenancy(int Shards, long Start, long End);

/// <summary>
/// One GPU holding shares, as a pass plans it (ADR 0011): its tenants' shards over time, so a shared job's wait estimate sees
/// shards freeing on a GPU already shared, not only whole GPUs freeing, and a queued shared job is booked where later jobs see
/// it. Shards whose tenant (and so end) is not known are held until the GPU frees whole; such a GPU takes no queued tenant.
/// </summary>
internal sealed class SharedGpuPlan(int shardsPerGpu, int unknownShards, bool openNow, long availableFrom, long wholeFreeAt)
{
    private readonly List<Tenancy> tenants = [];

    // The shards held over time as a step function, rebuilt after a tenant is added: usage[k] holds on [times[k], times[k + 1]).
    // Before times[0] only the unknown shards are held.
    private long[] times = [];
    private int[] usage = [];
    private long[] ends = [];
    private bool stale;

    public int ShardsPerGpu { get; } = shardsPerGpu;

    public int UnknownShards { get; } = unknownShards;

    /// <summary>Shared now (a job may join it in this pass); false for a GPU the plan opens for a queued shared job.</summary>
    public bool OpenNow { get; } = openNow;

    /// <summary>When the GPU is first usable for shares: now for a GPU shared now, the first queued tenant's start otherwise.</summary>
    public long AvailableFrom { get; } = availableFrom;

    /// <summary>When the node's whole-GPU timeline frees this GPU (its last tenant's end); meaningful only without unknown shards.</summary>
    public long WholeFreeAt { get; set; } = wholeFreeAt;

    public void Add(Tenancy tenancy)
    {
        tenants.Add(tenancy);
        stale = true;
    }

    /// <summary>The most shards held at any moment of [from, to).</summary>
    public int PeakUsage(long from, long to) => PeakUsage(from, to, int.MaxValue);

    /// <summary>
    /// The earliest start from <paramref name="now"/> at which <paramref name="shards"/> stay free on this GPU for the whole
    /// <paramref name="duration"/> (never over the GPU's shards), or null. <paramref name="canOutlast"/> says whether a tenancy
    /// may end after <see cref="WholeFreeAt"/> (the node's timeline can be extended); if not, it must end by then.
    /// </summary>
    public long? EarliestFit(int shards, long now, long duration, bool canOutlast)
    {
        if (UnknownShards > 0)
        {
            return null;
        }
        var first = Math.Max(now, AvailableFrom);
        var room = ShardsPerGpu - shards;
        Refresh();
        var next = Array.BinarySearch(ends, first);
        next = next >= 0 ? next + 1 : ~next;
        for (var start = first; ; start = ends[next++])
        {
            var end = start + duration;
            if (!canOutlast && end > WholeFreeAt)
            {
                // Later starts end later still.
                return null;
            }
            if (PeakUsage(start, end, room) <= room)
            {
                return start;
            }
            if (next >= ends.Length)
            {
                return null;
            }
        }
    }

    /// <summary>The most shards held in [from, to), or some value above <paramref name="enough"/> as soon as one is seen.</summary>
    private int PeakUsage(long from, long to, int enough)
    {
        Refresh();
        var k = Array.BinarySearch(times, from);
        k = k >= 0 ? k : ~k - 1;
        var peak = k >= 0 ? usage[k] : UnknownShards;
        for (var next = k + 1; next < times.Length && times[next] < to && peak <= enough; next++)
        {
            peak = Math.Max(peak, usage[next]);
        }
        return peak;
    }

    private void Refresh()
    {
        if (!stale)
        {
            return;
        }
        var changes = new SortedDictionary<long, int>();
        foreach (var t in tenants.Where(t => t.End > t.Start))
        {
            changes[t.Start] = changes.GetValueOrDefault(t.Start) + t.Shards;
            changes[t.End] = changes.GetValueOrDefault(t.End) - t.Shards;
        }
        times = [.. changes.Keys];
        ends = [.. tenants.Select(t => t.End).Distinct().Order()];
        usage = new int[times.Length];
        var held = UnknownShards;
        var i = 0;
        foreach (var change in changes.Values)
        {
            held += change;
            usage[i++] = held;
        }
        stale = false;
    }
}
