using Broker.Core.Provisioning;

namespace Broker.Core.OnPrem;

/// <summary>The last thing Broker saw of one on-prem node (synced from the cluster every minute).</summary>
public sealed class OnPremNodeRecord
{
    public string Name { get; set; } = "";

    public string GpuModel { get; set; } = "";

    public int GpuTotal { get; set; }

    public int GpuUsed { get; set; }

    public OnPremNodeState State { get; set; }

    public int Cpus { get; set; }

    public int MemoryMb { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>GPU shards (Slurm gres/shard) of the node; each whole GPU has <c>ShardTotal / GpuTotal</c> (ADR 0011).</summary>
    public int ShardTotal { get; set; }

    /// <summary>Shards each whole GPU is cut into; 0 when the node shares none (or has no whole GPUs).</summary>
    public int ShardsPerGpu => GpuTotal > 0 ? ShardTotal / GpuTotal : 0;

    /// <summary>Shards in use on each GPU that has some, as the last sync read them from running jobs; null for none.</summary>
    public List<int>? ShardsInUse { get; set; }

    /// <summary>
    /// Broker's allocations on those shared GPUs whose GPU the last sync read from Slurm, as <c>allocation id:shared GPU</c>
    /// (the shared GPU is an index into <see cref="ShardsInUse"/>); null for none.
    /// </summary>
    public List<string>? ShardHolders { get; set; }

    /// <summary>The shared GPU (index into <see cref="ShardsInUse"/>) of each allocation in <see cref="ShardHolders"/>.</summary>
    public Dictionary<Guid, int> SharedGpuOfAllocations()
    {
        var gpus = new Dictionary<Guid, int>();
        foreach (var holder in ShardHolders ?? [])
        {
            var colon = holder.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && Guid.TryParseExact(holder.AsSpan(0, colon), "D", out var allocation)
                && int.TryParse(holder.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gpu))
            {
                gpus[allocation] = gpu;
            }
        }
        return gpus;
    }

    /// <summary>MIG slices by profile as <c>profile:total:used</c> (<c>1g.10gb:4:1</c>); null for a node without MIG.</summary>
    public List<string>? MigSlices { get; set; }

    /// <summary>False when the last sync did not list the node, or the cluster could not be reached.</summary>
    public bool Present { get; set; }

    /// <summary>Listed by the last sync and in a state that takes jobs (the cluster port's rule).</summary>
    public bool IsSchedulable => Present && new OnPremNodeInfo(Name, GpuModel, GpuTotal, GpuUsed, State, Cpus, MemoryMb).IsSchedulable;
}
