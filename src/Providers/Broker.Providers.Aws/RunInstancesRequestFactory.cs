using System.Globalization;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Aws;

/// <summary>Builds the one RunInstances call for an allocation.</summary>
internal static class RunInstancesRequestFactory
{
    /// <summary>EC2 rejects a ClientToken longer than this.</summary>
    public const int MaxClientTokenLength = 64;

    public static string ClientToken(Guid allocationId) => allocationId.ToString("D");

    public static RunInstancesRequest Build(InstanceRequest request, AwsOptions options, string imageId)
    {
        var tags = ManagedTags.For(request).Select(t => new Tag(t.Key, t.Value)).ToList();
        var run = new RunInstancesRequest
        {
            ClientToken = ClientToken(request.IdempotencyToken),
            ImageId = imageId,
            InstanceType = InstanceType.FindValue(request.InstanceType),
            MinCount = 1,
            MaxCount = 1,
            UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(request.StartupScript)),
            InstanceInitiatedShutdownBehavior = ShutdownBehavior.Terminate,
            // IMDSv2 only, one network hop: the boot script on the host can read instance metadata and the spot notice,
            // a container on Docker's bridge network cannot (the user data holds the instance's callback token).
            MetadataOptions = new InstanceMetadataOptionsRequest
            {
                HttpTokens = HttpTokensState.Required,
                HttpPutResponseHopLimit = 1,
                HttpEndpoint = InstanceMetadataEndpointState.Enabled,
            },
            TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = tags },
                new TagSpecification { ResourceType = ResourceType.Volume, Tags = [.. tags] },
            ],
        };
        if (request.Zone is { Length: > 0 } zone)
        {
            run.Placement = new Placement { AvailabilityZone = zone };
            if (options.SubnetIds.TryGetValue(zone, out var subnet))
            {
                run.SubnetId = subnet;
            }
        }
        if (request.PlacementGroup is { Length: > 0 } group)
        {
            // A cloud gang's members share a cluster placement group (ADR 0012).
            run.Placement ??= new Placement();
            run.Placement.GroupName = group;
        }
        if (options.SecurityGroupIds.TryGetValue(request.Region, out var groups) && groups.Count > 0)
        {
            run.SecurityGroupIds = [.. groups];
        }
        if (options.KeyName is { Length: > 0 } keyName)
        {
            run.KeyName = keyName;
        }
        if (request.Market == CapacityType.Spot)
        {
            run.InstanceMarketOptions = SpotMarket(request.MaxPricePerHour);
        }
        return run;
    }

    /// <summary>The cluster placement group of a cloud gang, tagged as Broker's so it can be told apart from anyone else's.</summary>
    public static CreatePlacementGroupRequest PlacementGroup(string name, InstanceRequest request) => new()
    {
        GroupName = name,
        Strategy = PlacementStrategy.Cluster,
        TagSpecifications =
        [
            new TagSpecification
            {
                ResourceType = ResourceType.PlacementGroup,
                Tags = [new Tag(ManagedTags.Managed, "true"), new Tag(ManagedTags.Allocation, request.AllocationId.ToString())],
            },
        ],
    };

    private static InstanceMarketOptionsRequest SpotMarket(decimal? maxPrice) => new()
    {
        MarketType = MarketType.Spot,
        SpotOptions = new SpotMarketOptions
        {
            SpotInstanceType = SpotInstanceType.OneTime,
            InstanceInterruptionBehavior = InstanceInterruptionBehavior.Terminate,
            MaxPrice = maxPrice?.ToString(CultureInfo.InvariantCulture),
        },
    };
}
