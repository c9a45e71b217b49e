using Azure;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Resources;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Azure;

/// <summary>
/// Azure Compute adapter. Idempotency comes from the VM name, derived from the allocation id: create is a PUT of that
/// name, so a retry (even after a lost response) updates the same VM with the same body instead of making a second one.
/// Each VM gets one NIC of the same derived name, created first; both are removed by <see cref="TerminateAsync"/>.
/// </summary>
public sealed class AzureComputeProvider : IComputeProvider
{
    private readonly ArmClient arm;
    private readonly AzureOptions options;
    private readonly TimeProvider clock;
    private readonly AzureNetworkInterfaces nics;

    public AzureComputeProvider(ArmClient arm, AzureOptions options, TimeProvider clock)
    {
        if (options.SubscriptionId.Length == 0 || options.ResourceGroup.Length == 0)
        {
            throw new ArgumentException("Providers:Azure needs SubscriptionId and ResourceGroup.", nameof(options));
        }
        this.arm = arm;
        this.options = options;
        this.clock = clock;
        nics = new AzureNetworkInterfaces(arm, options);
    }

    public string Name => "azure";

    public bool Launches(string region, string? zone) =>
        options.Regions.Count == 0 || options.Regions.Contains(region, StringComparer.OrdinalIgnoreCase);

    public async Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        if (options.Regions.Count > 0 && !options.Regions.Contains(request.Region, StringComparer.OrdinalIgnoreCase))
        {
            throw new ProviderException(Name, ProviderErrorKind.InvalidRequest, BlockScope.None, "RegionNotConfigured",
                $"Region '{request.Region}' is not among Providers:Azure:Regions.");
        }
        var vmName = AzureNames.VirtualMachine(request.IdempotencyToken);
        try
        {
            var nicId = await nics.EnsureAsync(vmName, request.Region, ManagedTags.For(request), cancellationToken);
            var data = AzureVmSpec.Build(request, options, vmName, nicId);
            if (request.PlacementGroup is { Length: > 0 } group)
            {
                data.ProximityPlacementGroupId = await EnsureProximityPlacementGroupAsync(request, group, cancellationToken);
            }
            var operation = await VirtualMachines().CreateOrUpdateAsync(WaitUntil.Started, vmName, data, cancellationToken);
            var vm = await AzureOperations.WaitAsync(operation, options, cancellationToken);
            return AzureInstances.ToInstance(vm.Data);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = e is ArgumentException invalid
                ? new ProviderException(Name, ProviderErrorKind.InvalidRequest, BlockScope.None, "InvalidRequest", invalid.Message, inner: e)
                : AzureErrors.Translate(e, clock);
            if (error.Kind == ProviderErrorKind.Capacity)
            {
                // A VM whose allocation failed stays behind in state Failed with its NIC; the next option may reuse
                // this allocation's name in another region, so clear the way now (garbage collection is the backstop).
                await TryDeleteAsync(vmName, cancellationToken);
            }
            throw error;
        }
    }

    /// <summary>
    /// The cloud gang's proximity placement group (ADR 0012), a PUT of a name derived from the allocation, so every member
    /// and every retry puts the same one; it carries Broker's tags.
    /// </summary>
    private async Task<global::Azure.Core.ResourceIdentifier> EnsureProximityPlacementGroupAsync(InstanceRequest request, string name,
        CancellationToken cancellationToken)
    {
        var data = new ProximityPlacementGroupData(new global::Azure.Core.AzureLocation(request.Region))
        {
            ProximityPlacementGroupType = global::Azure.ResourceManager.Compute.Models.ProximityPlacementGroupType.Standard,
        };
        if (AzureNames.ZoneNumber(request.Zone) is { } zone)
        {
            data.Zones.Add(zone);
        }
        data.Tags[ManagedTags.Managed] = "true";
        data.Tags[ManagedTags.Allocation] = request.AllocationId.ToString();
        var created = await ProximityPlacementGroups().CreateOrUpdateAsync(WaitUntil.Completed, name, data, cancellationToken);
        return created.Value.Id;
    }

    public async Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteAsync(AzureNames.VmNameFromInstanceId(instanceId), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AzureErrors.Translate(e, clock);
        }
    }

    /// <summary>
    /// The Compute list API has no tag filter (its $filter only knows scale-set membership), so this lists the resource
    /// group's VMs and keeps those tagged broker-managed=true.
    /// </summary>
    public async Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var managed = new List<ProviderInstance>();
            await foreach (var vm in VirtualMachines().GetAllAsync(cancellationToken: cancellationToken))
            {
                if (AzureInstances.IsManaged(vm.Data))
                {
                    managed.Add(AzureInstances.ToInstance(vm.Data));
                }
            }
            return managed;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AzureErrors.Translate(e, clock);
        }
    }

    /// <summary>
    /// The resource group's proximity placement groups whose name is Broker's and that carry broker-managed=true (the list
    /// API has no filter), in the configured regions. ARM does not say when a group was made.
    /// </summary>
    public async Task<IReadOnlyList<ProviderPlacementGroup>> ListPlacementGroupsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var found = new List<ProviderPlacementGroup>();
            await foreach (var group in ProximityPlacementGroups().GetAllAsync(cancellationToken))
            {
                var data = group.Data;
                if (CloudGang.IsBrokersPlacementGroup(data.Name) && data.Tags.TryGetValue(ManagedTags.Managed, out var managed) && managed == "true"
                    && Launches(data.Location.Name, null))
                {
                    found.Add(new ProviderPlacementGroup(Name, data.Location.Name, data.Name, null));
                }
            }
            return found;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AzureErrors.Translate(e, clock);
        }
    }

    /// <summary>
    /// A synchronous DELETE in the configured resource group (ARM answers 200, or 204 or 404 for a group that does not exist). A group
    /// that still holds VMs is refused with 409 Conflict: transient, whatever ARM's code, since the VMs are on their way out.
    /// </summary>
    public async Task<bool> DeletePlacementGroupAsync(string region, string name, CancellationToken cancellationToken)
    {
        if (!CloudGang.IsBrokersPlacementGroup(name))
        {
            throw CloudGang.NotBrokersPlacementGroup(Name, name);
        }
        var id = ProximityPlacementGroupResource.CreateResourceIdentifier(options.SubscriptionId, options.ResourceGroup, name);
        try
        {
            await arm.GetProximityPlacementGroupResource(id).DeleteAsync(WaitUntil.Completed, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (AzureErrors.IsNotFound(e) || e.Status == 204)
        {
            // The 1.2.0 SDK takes only 200 for this delete, so ARM's 204 for a group that is not there arrives as a failure.
            return false;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw new ProviderException(Name, ProviderErrorKind.Transient, BlockScope.None, e.ErrorCode ?? "Conflict",
                $"proximity placement group {name} is still in use: {e.Message.Split('\n')[0]}", inner: e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AzureErrors.Translate(e, clock);
        }
    }

    private ProximityPlacementGroupCollection ProximityPlacementGroups() =>
        arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(options.SubscriptionId, options.ResourceGroup))
            .GetProximityPlacementGroups();

    private VirtualMachineCollection VirtualMachines() =>
        arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(options.SubscriptionId, options.ResourceGroup))
            .GetVirtualMachines();

    private async Task DeleteAsync(string vmName, CancellationToken cancellationToken)
    {
        var id = VirtualMachineResource.CreateResourceIdentifier(options.SubscriptionId, options.ResourceGroup, vmName);
        try
        {
            var operation = await arm.GetVirtualMachineResource(id).DeleteAsync(WaitUntil.Started, forceDeletion: null, cancellationToken);
            await AzureOperations.WaitAsync(operation, options, cancellationToken);
        }
        catch (RequestFailedException e) when (AzureErrors.IsNotFound(e))
        {
        }
        // Normally already gone with the VM (DeleteOption.Delete); not when the VM was never created.
        await nics.DeleteAsync(vmName, cancellationToken);
    }

    private async Task TryDeleteAsync(string vmName, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteAsync(vmName, cancellationToken);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException)
        {
            // Best effort: ListManagedAsync still reports the leftover VM for garbage collection.
        }
    }
}
