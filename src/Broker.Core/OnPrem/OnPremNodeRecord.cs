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

    /// <summary>False when the last sync did not list the node, or the cluster could not be reached.</summary>
    public bool Present { get; set; }

    /// <summary>Listed by the last sync and in a state that takes jobs (the cluster port's rule).</summary>
    public bool IsSchedulable => Present && new OnPremNodeInfo(Name, GpuModel, GpuTotal, GpuUsed, State, Cpus, MemoryMb).IsSchedulable;
}
