using System.Text.Json;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Gcp.Compute;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Providers.Gcp;

/// <summary>
/// Compute Engine behind <see cref="IComputeProvider"/>. Idempotency rests on two things: the instance name is derived from
/// the allocation id (GCE refuses a second instance of that name with 409 alreadyExists, which is answered by reading the
/// existing one), and the insert carries a deterministic requestId (a retry after a lost response gets the first
/// operation back). Nothing here retries: <see cref="GuardedComputeProvider"/> is the only retry layer.
/// </summary>
public sealed class GcpComputeProvider(GcpComputeClient client, GcpOptions options, ILogger<GcpComputeProvider>? logger = null)
    : IComputeProvider
{
    private readonly ILogger log = logger ?? NullLogger<GcpComputeProvider>.Instance;

    public string Name => GcpErrorMap.Provider;

    /// <summary>Only configured zones: they are the ones created instances are listed (and collected) in.</summary>
    public bool Launches(string region, string? zone) =>
        zone is null ? options.ZonesOf(region).Count > 0 : options.ZonesOf(region).Contains(zone, StringComparer.Ordinal);

    public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) =>
        Translate(async () =>
        {
            var zone = ZoneFor(request);
            var body = GceInstanceFactory.Build(request, zone, options);
            var name = body.Name!;
            var requestId = GcpNaming.InsertRequestId(request.IdempotencyToken, zone, request.InstanceType, request.Market);
            if (request.PlacementGroup is { Length: > 0 } group)
            {
                await EnsureCompactPolicyAsync(request, group, cancellationToken);
            }
            log.LogInformation("Creating {Instance} ({MachineType}, {Market}) in {Zone} for allocation {AllocationId}",
                name, request.InstanceType, request.Market, zone, request.AllocationId);
            try
            {
                var operation = await client.InsertInstanceAsync(options.Project, zone, body, requestId, cancellationToken);
                await FinishAsync(zone, operation, cancellationToken);
            }
            catch (GcpApiException e) when (e.HttpStatus == 409 && e.Codes.Contains("alreadyExists"))
            {
                log.LogInformation("{Instance} already exists: created by an earlier attempt", name);
            }
            var instance = await client.GetInstanceAsync(options.Project, zone, name, cancellationToken)
                ?? throw new ProviderException(Name, ProviderErrorKind.Transient, BlockScope.None, "InstanceVanished",
                    $"{name} in {zone} was created but is gone (deleted or preempted meanwhile)");
            return GceInstanceMapper.ToProviderInstance(instance);
        }, cancellationToken);

    /// <summary>Creates the gang's compact placement policy; one that exists already (another member, a retry) is success.</summary>
    private async Task EnsureCompactPolicyAsync(InstanceRequest request, string name, CancellationToken cancellationToken)
    {
        try
        {
            var operation = await client.InsertResourcePolicyAsync(options.Project, request.Region, GceInstanceFactory.CompactPolicy(request, name),
                GcpNaming.NameBasedUuid($"policy/{request.Region}/{name}"), cancellationToken);
            if (operation.IsDone)
            {
                if (operation.Failed)
                {
                    throw GcpApiException.ForFailedOperation(operation);
                }
                return;
            }
            await client.WaitRegionOperationAsync(options.Project, request.Region,
                operation.Name ?? throw new JsonException("Compute Engine returned an operation without a name"), cancellationToken);
        }
        catch (GcpApiException e) when (e.HttpStatus == 409 && e.Codes.Contains("alreadyExists"))
        {
        }
    }

    public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken) =>
        Translate(async () =>
        {
            var zones = zone is not null ? [zone] : options.ZonesOf(region);
            if (zones.Count == 0)
            {
                throw new ProviderException(Name, ProviderErrorKind.InvalidRequest, BlockScope.None, "ZoneUnknown",
                    $"no zone given for {instanceId} and none configured for region {region}");
            }
            foreach (var candidate in zones)
            {
                await DeleteInZoneAsync(candidate, instanceId, cancellationToken);
            }
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken) =>
        Translate<IReadOnlyList<ProviderInstance>>(async () =>
        {
            var instances = await client.ListAllInstancesAsync(options.Project, GcpLabels.ManagedFilter, cancellationToken);
            return instances.Where(i => GcpLabels.IsManaged(i.Labels)).Select(GceInstanceMapper.ToProviderInstance).ToList();
        }, cancellationToken);

    /// <summary>
    /// Each configured region's resource policies whose name is Broker's (resource policies carry no labels), unless already
    /// being deleted, with GCE's creationTimestamp.
    /// </summary>
    public Task<IReadOnlyList<ProviderPlacementGroup>> ListPlacementGroupsAsync(CancellationToken cancellationToken) =>
        Translate<IReadOnlyList<ProviderPlacementGroup>>(async () =>
        {
            var found = new List<ProviderPlacementGroup>();
            foreach (var region in options.Zones.Keys.Order(StringComparer.Ordinal))
            {
                var policies = await client.ListResourcePoliciesAsync(options.Project, region, cancellationToken);
                found.AddRange(policies.Where(p => p.Name is { } name && CloudGang.IsBrokersPlacementGroup(name) && p.Status != "DELETING")
                    .Select(p => new ProviderPlacementGroup(Name, region, p.Name!, CreatedAt(p.CreationTimestamp))));
            }
            return found;
        }, cancellationToken);

    /// <summary>
    /// resourcePolicies.delete, without a requestId: a repeated requestId would be answered with the first attempt's operation,
    /// which fails for good while the policy was still in use. Deleting is idempotent by itself (404, here or in the operation, is success).
    /// </summary>
    public Task<bool> DeletePlacementGroupAsync(string region, string name, CancellationToken cancellationToken) =>
        Translate(async () =>
        {
            if (!CloudGang.IsBrokersPlacementGroup(name))
            {
                throw CloudGang.NotBrokersPlacementGroup(Name, name);
            }
            if (options.ZonesOf(region).Count == 0)
            {
                throw new ProviderException(Name, ProviderErrorKind.InvalidRequest, BlockScope.None, "RegionNotConfigured",
                    $"region {region} is not in Providers:Gcp:Zones");
            }
            var operation = await client.DeleteResourcePolicyAsync(options.Project, region, name, cancellationToken);
            if (operation is null)
            {
                return false;
            }
            log.LogInformation("Deleting resource policy {Policy} in {Region}", name, region);
            try
            {
                if (operation.IsDone)
                {
                    return operation.Failed ? throw GcpApiException.ForFailedOperation(operation) : true;
                }
                await client.WaitRegionOperationAsync(options.Project, region,
                    operation.Name ?? throw new JsonException("Compute Engine returned an operation without a name"), cancellationToken);
                return true;
            }
            catch (GcpApiException e) when (e.FromOperation && (e.HttpStatus == 404 || e.Codes.Contains("RESOURCE_NOT_FOUND")))
            {
                return false;
            }
        }, cancellationToken);

    private static DateTimeOffset? CreatedAt(string? timestamp) =>
        DateTimeOffset.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    private async Task DeleteInZoneAsync(string zone, string name, CancellationToken cancellationToken)
    {
        var operation = await client.DeleteInstanceAsync(options.Project, zone, name, GcpNaming.DeleteRequestId(zone, name),
            cancellationToken);
        if (operation is null)
        {
            return;
        }
        log.LogInformation("Deleting {Instance} in {Zone}", name, zone);
        try
        {
            await FinishAsync(zone, operation, cancellationToken);
        }
        catch (GcpApiException e) when (e.FromOperation && (e.HttpStatus == 404 || e.Codes.Contains("RESOURCE_NOT_FOUND")))
        {
            // Deleted by someone else (or preempted) while our delete was queued: the goal is reached.
        }
    }

    /// <summary>Waits for the operation unless it is already DONE (a repeated requestId returns the first, finished one).</summary>
    private async Task FinishAsync(string zone, GceOperation operation, CancellationToken cancellationToken)
    {
        if (operation.IsDone)
        {
            if (operation.Failed)
            {
                throw GcpApiException.ForFailedOperation(operation);
            }
            return;
        }
        var name = operation.Name ?? throw new JsonException("Compute Engine returned an operation without a name");
        await client.WaitZoneOperationAsync(options.Project, zone, name, cancellationToken);
    }

    private string ZoneFor(InstanceRequest request)
    {
        var zone = request.Zone ?? options.ZonesOf(request.Region).FirstOrDefault()
            ?? throw new ProviderException(Name, ProviderErrorKind.InvalidRequest, BlockScope.None, "ZoneUnknown",
                $"request has no zone and no zone is configured for region {request.Region}");
        if (GcpNaming.RegionOf(zone) != request.Region)
        {
            throw new ProviderException(Name, ProviderErrorKind.InvalidRequest, BlockScope.None, "ZoneNotInRegion",
                $"zone {zone} is not in region {request.Region}");
        }
        return zone;
    }

    private async Task<T> Translate<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (GcpApiException e)
        {
            throw GcpErrorMap.ToProviderException(e);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException(Name, ProviderErrorKind.Transient, BlockScope.None, "NetworkError", e.Message, inner: e);
        }
        catch (TimeoutException e)
        {
            throw new ProviderException(Name, ProviderErrorKind.Transient, BlockScope.None, "OperationTimeout", e.Message, inner: e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException(Name, ProviderErrorKind.Transient, BlockScope.None, "HttpTimeout", e.Message, inner: e);
        }
        catch (JsonException e)
        {
            throw new ProviderException(Name, ProviderErrorKind.Transient, BlockScope.None, "MalformedResponse", e.Message, inner: e);
        }
    }
}
