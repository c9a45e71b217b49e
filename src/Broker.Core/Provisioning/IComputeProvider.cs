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
    /// Whether this deployment may launch in the region (and zone, when the offer names one): the regions or zones the
    /// adapter is configured for, which are also the only ones <see cref="ListManagedAsync"/> looks at. Placement offers
    /// nothing else, so a catalog that lists every region never sends a job where the adapter would refuse it.
    /// </summary>
    bool Launches(string region, string? zone) => true;
}
