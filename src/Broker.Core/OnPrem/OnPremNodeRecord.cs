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
}
