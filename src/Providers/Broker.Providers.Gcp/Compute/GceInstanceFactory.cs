using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Gcp.Compute;

/// <summary>Builds the instances.insert body for one allocation.</summary>
public static class GceInstanceFactory
{
    public const string StartupScriptKey = "startup-script";

    public static GceInstance Build(InstanceRequest request, string zone, GcpOptions options) => new()
    {
        Name = GcpNaming.InstanceName(request.IdempotencyToken),
        MachineType = $"zones/{zone}/machineTypes/{request.InstanceType}",
        Labels = GcpLabels.For(request),
        Metadata = new GceMetadata([new GceMetadataItem(StartupScriptKey, request.StartupScript)]),
        Disks = [new GceAttachedDisk(Boot: true, AutoDelete: true, new GceDiskInitializeParams(options.SourceImage, options.BootDiskSizeGb))],
        NetworkInterfaces =
        [
            new GceNetworkInterface(options.Network,
                options.Subnetwork?.Replace("{region}", request.Region, StringComparison.Ordinal),
                options.AssignExternalIp ? [new GceAccessConfig("ONE_TO_ONE_NAT", "External NAT")] : null),
        ],
        Scheduling = SchedulingFor(request),
        ServiceAccounts = string.IsNullOrEmpty(options.ServiceAccountEmail)
            ? null
            : [new GceServiceAccount(options.ServiceAccountEmail, ["https://www.googleapis.com/auth/cloud-platform"])],
        ResourcePolicies = request.PlacementGroup is { Length: > 0 } group ? [PolicyPath(options.Project, request.Region, group)] : null,
    };

    public static string PolicyPath(string project, string region, string policy) => $"projects/{project}/regions/{region}/resourcePolicies/{policy}";

    /// <summary>The compact placement policy a cloud gang's members share.</summary>
    public static GceResourcePolicy CompactPolicy(InstanceRequest request, string name) =>
        new(name, $"broker cloud gang {request.AllocationId:D}", new GceGroupPlacementPolicy("COLLOCATED", request.Members));

    /// <summary>
    /// Spot VMs are deleted on preemption (Broker requeues the job; a stopped VM would only keep billing its disk) and never
    /// restart by themselves. GPU machine types cannot live-migrate, so they terminate on host maintenance on both markets.
    /// </summary>
    public static GceScheduling SchedulingFor(InstanceRequest request)
    {
        var gpu = GcpMachineFamilies.HasGpus(request.InstanceType);
        return request.Market == CapacityType.Spot
            ? new GceScheduling
            {
                ProvisioningModel = "SPOT",
                InstanceTerminationAction = "DELETE",
                OnHostMaintenance = "TERMINATE",
                AutomaticRestart = false,
            }
            : new GceScheduling
            {
                ProvisioningModel = "STANDARD",
                OnHostMaintenance = gpu ? "TERMINATE" : "MIGRATE",
            };
    }
}
