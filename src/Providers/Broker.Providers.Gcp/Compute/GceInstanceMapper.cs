using System.Globalization;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Gcp.Compute;

/// <summary>Reads a GCE instance back into Broker's <see cref="ProviderInstance"/>.</summary>
public static class GceInstanceMapper
{
    public static ProviderInstance ToProviderInstance(GceInstance instance)
    {
        var zone = GcpNaming.LastSegment(instance.Zone);
        return new ProviderInstance(
            GcpErrorMap.Provider,
            instance.Name ?? "",
            GcpNaming.RegionOf(zone),
            zone.Length > 0 ? zone : null,
            GcpNaming.LastSegment(instance.MachineType),
            MarketOf(instance.Scheduling),
            StateOf(instance.Status),
            GcpLabels.IdOf(instance.Labels, ManagedTags.Allocation),
            GcpLabels.IdOf(instance.Labels, ManagedTags.Job),
            DateTimeOffset.TryParse(instance.CreationTimestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : null);
    }

    public static CapacityType MarketOf(GceScheduling? scheduling) =>
        string.Equals(scheduling?.ProvisioningModel, "SPOT", StringComparison.OrdinalIgnoreCase) || scheduling?.Preemptible == true
            ? CapacityType.Spot
            : CapacityType.OnDemand;

    /// <summary>
    /// GCE's <c>TERMINATED</c> means stopped, not deleted: the VM still exists, keeps its disk billed and may start again,
    /// so it is reported (as <see cref="InstanceState.ShuttingDown"/>) for garbage collection. Deleted VMs simply vanish.
    /// </summary>
    public static InstanceState StateOf(string? status) => status switch
    {
        "PROVISIONING" or "STAGING" => InstanceState.Pending,
        "RUNNING" or "REPAIRING" => InstanceState.Running,
        "STOPPING" or "SUSPENDING" or "SUSPENDED" or "STOPPED" or "TERMINATED" => InstanceState.ShuttingDown,
        _ => InstanceState.Pending,
    };
}
