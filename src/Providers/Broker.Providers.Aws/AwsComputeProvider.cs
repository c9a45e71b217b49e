using System.Text;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Aws;

/// <summary>EC2 adapter; see <see cref="IComputeProvider"/> for the contract it honours.</summary>
public sealed class AwsComputeProvider(AwsClientFactory clients, IOptions<AwsOptions> options) : IComputeProvider
{
    public const string ProviderName = "aws";

    /// <summary>EC2's limit on user data before base64 encoding.</summary>
    public const int MaxUserDataBytes = 16 * 1024;

    private static readonly string[] LiveStates = ["pending", "running", "shutting-down", "stopping", "stopped"];

    private readonly AwsOptions settings = options.Value;

    public string Name => ProviderName;

    public bool Launches(string region, string? zone) => settings.Regions.Contains(region, StringComparer.Ordinal);

    public async Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        EnsureConfigured(request.Region);
        var image = settings.ImageFor(request.Region) ?? throw new ProviderException(ProviderName, ProviderErrorKind.InvalidRequest,
            BlockScope.None, "NoImageConfigured", $"no AMI configured for region {request.Region}");
        if (Encoding.UTF8.GetByteCount(request.StartupScript) > MaxUserDataBytes)
        {
            throw new ProviderException(ProviderName, ProviderErrorKind.InvalidRequest, BlockScope.None, "UserDataTooLarge",
                $"the startup script exceeds EC2's {MaxUserDataBytes} bytes of user data");
        }
        if (request.PlacementGroup is { Length: > 0 } group)
        {
            await EnsurePlacementGroupAsync(group, request, cancellationToken);
        }
        var run = RunInstancesRequestFactory.Build(request, settings, image);
        var response = await Call(() => clients.For(request.Region).RunInstancesAsync(run, cancellationToken), cancellationToken);
        var instance = response.Reservation?.Instances?.FirstOrDefault() ?? throw new ProviderException(ProviderName,
            ProviderErrorKind.Transient, BlockScope.None, "EmptyReservation", "RunInstances answered without an instance");
        // The ClientToken ties the instance to this allocation even if EC2 left the tags out of its answer.
        return Ec2InstanceMapper.ToProviderInstance(instance, request.Region) with
        {
            AllocationId = request.AllocationId,
            JobId = request.JobId,
        };
    }

    /// <summary>Creates the gang's cluster placement group; one that exists already (another member, a retry) is success.</summary>
    private async Task EnsurePlacementGroupAsync(string group, InstanceRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await clients.For(request.Region).CreatePlacementGroupAsync(RunInstancesRequestFactory.PlacementGroup(group, request), cancellationToken);
        }
        catch (AmazonServiceException e) when (e.ErrorCode == "InvalidPlacementGroup.Duplicate")
        {
        }
        catch (Exception e) when (AwsErrorMap.Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public async Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken)
    {
        EnsureConfigured(region);
        var terminate = new TerminateInstancesRequest { InstanceIds = [instanceId] };
        try
        {
            await clients.For(region).TerminateInstancesAsync(terminate, cancellationToken);
        }
        catch (AmazonServiceException e) when (AwsErrorMap.IsUnknownInstance(e))
        {
            // Not found is success: the instance is already gone (or never existed).
        }
        catch (Exception e) when (AwsErrorMap.Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public async Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken)
    {
        // Sequential on purpose: a failure in any region fails the whole listing, so garbage collection never mistakes
        // an unreadable region for one without instances.
        var found = new List<ProviderInstance>();
        foreach (var region in settings.Regions)
        {
            found.AddRange(await ListRegion(region, cancellationToken));
        }
        return found;
    }

    private async Task<List<ProviderInstance>> ListRegion(string region, CancellationToken cancellationToken)
    {
        var found = new List<ProviderInstance>();
        string? nextToken = null;
        do
        {
            var describe = new DescribeInstancesRequest
            {
                Filters =
                [
                    new Filter($"tag:{ManagedTags.Managed}", ["true"]),
                    new Filter("instance-state-name", [.. LiveStates]),
                ],
                MaxResults = 1000,
                NextToken = nextToken,
            };
            var page = await Call(() => clients.For(region).DescribeInstancesAsync(describe, cancellationToken), cancellationToken);
            found.AddRange((page.Reservations ?? []).SelectMany(r => r.Instances ?? [])
                .Select(i => Ec2InstanceMapper.ToProviderInstance(i, region)));
            nextToken = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (nextToken is not null);
        return found;
    }

    /// <summary>
    /// Every configured region's cluster placement groups tagged <c>broker-managed=true</c> whose name is Broker's, pending or
    /// available (a deleted group is listed for a while after). DescribePlacementGroups is not paged. EC2 does not say when a
    /// group was made.
    /// </summary>
    public async Task<IReadOnlyList<ProviderPlacementGroup>> ListPlacementGroupsAsync(CancellationToken cancellationToken)
    {
        var found = new List<ProviderPlacementGroup>();
        foreach (var region in settings.Regions)
        {
            var describe = new DescribePlacementGroupsRequest
            {
                Filters = [new Filter($"tag:{ManagedTags.Managed}", ["true"]), new Filter("state", ["pending", "available"])],
            };
            var answer = await Call(() => clients.For(region).DescribePlacementGroupsAsync(describe, cancellationToken), cancellationToken);
            found.AddRange((answer.PlacementGroups ?? []).Where(g => g.GroupName is { } name && CloudGang.IsBrokersPlacementGroup(name))
                .Select(g => new ProviderPlacementGroup(ProviderName, region, g.GroupName, null)));
        }
        return found;
    }

    public async Task<bool> DeletePlacementGroupAsync(string region, string name, CancellationToken cancellationToken)
    {
        EnsureConfigured(region);
        if (!CloudGang.IsBrokersPlacementGroup(name))
        {
            throw CloudGang.NotBrokersPlacementGroup(ProviderName, name);
        }
        try
        {
            await clients.For(region).DeletePlacementGroupAsync(new DeletePlacementGroupRequest { GroupName = name }, cancellationToken);
            return true;
        }
        catch (AmazonServiceException e) when (e.ErrorCode == "InvalidPlacementGroup.Unknown")
        {
            return false;
        }
        catch (Exception e) when (AwsErrorMap.Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    private void EnsureConfigured(string region)
    {
        if (!settings.Regions.Contains(region, StringComparer.Ordinal))
        {
            // Launching outside the configured regions would create instances that garbage collection never lists.
            throw new ProviderException(ProviderName, ProviderErrorKind.InvalidRequest, BlockScope.None, "RegionNotConfigured",
                $"region {region} is not in Providers:Aws:Regions");
        }
    }

    internal static async Task<T> Call<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (AwsErrorMap.Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }
}
