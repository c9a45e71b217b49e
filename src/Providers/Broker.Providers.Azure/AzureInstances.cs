using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Azure;

/// <summary>Maps a VM as ARM reports it to Broker's <see cref="ProviderInstance"/>.</summary>
internal static class AzureInstances
{
    public static bool IsManaged(VirtualMachineData vm) =>
        vm.Tags.TryGetValue(ManagedTags.Managed, out var managed) && string.Equals(managed, "true", StringComparison.OrdinalIgnoreCase);

    public static ProviderInstance ToInstance(VirtualMachineData vm) => new(
        "azure",
        vm.Name,
        vm.Location.Name,
        vm.Zones.FirstOrDefault(),
        vm.HardwareProfile?.VmSize?.ToString() ?? "",
        vm.Priority == VirtualMachinePriorityType.Spot || vm.Priority == VirtualMachinePriorityType.Low ? CapacityType.Spot : CapacityType.OnDemand,
        State(vm.ProvisioningState),
        TagGuid(vm, ManagedTags.Allocation),
        TagGuid(vm, ManagedTags.Job),
        vm.TimeCreated);

    /// <summary>
    /// ARM provisioning states. A VM whose provisioning failed still exists (and keeps its disk) until deleted, so it is
    /// reported as Pending rather than Terminated: garbage collection must still see it.
    /// </summary>
    private static InstanceState State(string? provisioningState) => provisioningState switch
    {
        "Succeeded" => InstanceState.Running,
        "Deleting" => InstanceState.ShuttingDown,
        _ => InstanceState.Pending,
    };

    private static Guid? TagGuid(VirtualMachineData vm, string tag) =>
        vm.Tags.TryGetValue(tag, out var value) && Guid.TryParse(value, out var id) ? id : null;
}
