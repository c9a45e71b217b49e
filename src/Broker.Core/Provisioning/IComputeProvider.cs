using Broker.Core.Capacity;

namespace Broker.Core.Provisioning;

/// <summary>
/// A cloud that can run GPU instances (after Karpenter's <c>cloudprovider.CloudProvider</c> and SkyPilot's <c>provision</c>).
/// Contract, which every adapter and its tests honour:
/// <list type="bullet">
/// <item><see cref="CreateAsync"/> is idempotent by <see cref="InstanceRequest.AllocationId"/> (AWS ClientToken, GCP requestId,
/// Azure VM name): calling it twice, even concurrently, yields one instance, and the second call returns it.</item>
/// <item>Every created instance carries <see cref="ManagedTags"/>.</item>
/// <item><see cref="TerminateAsync"/> treats "not found" as success.</item>
/// <item><see cref="ListManagedAsync"/> returns every instance tagged <c>broker-managed=true</c> that is not yet terminated.</item>
/// <item><see cref="ListPlacementGroupsAsync"/> returns Broker's placement groups (named <c>broker-gang-...</c>, see
/// <see cref="CloudGang.PlacementGroupName"/>) where the adapter launches; <see cref="DeletePlacementGroupAsync"/> treats
/// "not found" as success and a group still in use (members still shutting down) as a <see cref="ProviderErrorKind.Transient"/> error.</item>
/// <item>Failures surface as <see cref="ProviderException"/> with the cloud's own code and a <see cref="BlockScope"/>;
/// adapters do not retry throttling themselves (the SDK's own retries are switched off), the guard layer does.</item>
/// </list>
/// </summary>
public interface IComputeProvider
{
    /// <summary>Lower-case provider name: <c>aws</c>, <c>azure</c> or <c>gcp</c>.</summary>
    string Name { get; }

    Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken);

    Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Broker's placement groups (names starting <see cref="CloudGang.PlacementGroupPrefix"/>) in the regions the adapter is
    /// configured for, whoever's gang they served; nobody else's. A provider without placement groups has none.
    /// </summary>
    Task<IReadOnlyList<ProviderPlacementGroup>> ListPlacementGroupsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderPlacementGroup>>([]);

    /// <summary>
    /// Deletes one of Broker's placement groups: true when this call deleted it, false when it was gone already (success, as
    /// for <see cref="TerminateAsync"/>). A group that still holds instances fails with a <see cref="ProviderErrorKind.Transient"/>
    /// <see cref="ProviderException"/> carrying the cloud's code (<c>InvalidPlacementGroup.InUse</c>, ARM 409,
    /// <c>resourceInUseByAnotherResource</c>); a name that is not Broker's is refused as <see cref="ProviderErrorKind.InvalidRequest"/>.
    /// </summary>
    Task<bool> DeletePlacementGroupAsync(string region, string name, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>
    /// Whether this deployment may launch in the region (and zone, when the offer names one): the regions or zones the
    /// adapter is configured for, which are also the only ones <see cref="ListManagedAsync"/> looks at. Placement offers
    /// nothing else, so a catalog that lists every region never sends a job where the adapter would refuse it.
    /// </summary>
    bool Launches(string region, string? zone) => true;
}
