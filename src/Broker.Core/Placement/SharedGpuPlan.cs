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

    public int ShardsPerGpu { get; } = shardsPerGpu;

    public int UnknownShards { get; } = unknownShards;

    /// <summary>Shared now (a job may join it in this pass); false for a GPU the plan opens for a queued shared job.</summary>
    public bool OpenNow { get; } = openNow;

    /// <summary>When the GPU is first usable for shares: now for a GPU shared now, the first queued tenant's start otherwise.</summary>
    public long AvailableFrom { get; } = availableFrom;

    /// <summary>When the node's whole-GPU timeline frees this GPU (its last tenant's end); meaningful only without unknown shards.</summary>
    public long WholeFreeAt { get; set; } = wholeFreeAt;

    public void Add(Tenancy tenancy) => tenants.Add(tenancy);

    /// <summary>The most shards held at any moment of [from, to).</summary>
    public int PeakUsage(long from, long to)
    {
        var peak = Usage(from);
        foreach (var t in tenants)
        {
            if (t.Start > from && t.Start < to)
            {
                peak = Math.Max(peak, Usage(t.Start));
            }
        }
        return peak;
    }

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
        foreach (var start in tenants.Select(t => t.End).Where(e => e > first).Append(first).Order())
        {
            var end = start + duration;
            if (PeakUsage(start, end) + shards <= ShardsPerGpu && (canOutlast || end <= WholeFreeAt))
            {
                return start;
            }
        }
        return null;
    }

    private int Usage(long at)
    {
        var used = UnknownShards;
        foreach (var t in tenants)
        {
            used += t.Start <= at && at < t.End ? t.Shards : 0;
        }
        return used;
    }
}
