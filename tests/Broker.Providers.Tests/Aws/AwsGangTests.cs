using Broker.Core.Provisioning;

namespace Broker.Providers.Tests.Aws;

/// <summary>Cloud gang members (ADR 0012) on EC2: one cluster placement group, each member its own ClientToken.</summary>
public sealed class AwsGangTests : IAsyncLifetime
{
    private AwsRig rig = null!;

    public async Task InitializeAsync() => rig = await AwsRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    [Fact]
    public async Task Gang_members_launch_into_one_cluster_placement_group_with_their_own_client_tokens()
    {
        var allocation = Guid.NewGuid();
        var group = CloudGang.PlacementGroupName(allocation);
        var members = Enumerable.Range(0, 2)
            .Select(m => AwsRig.Request(allocationId: allocation) with { Member = m, Members = 2, PlacementGroup = group }).ToList();

        var first = await rig.Provider.CreateAsync(members[0], CancellationToken.None);
        var second = await rig.Provider.CreateAsync(members[1], CancellationToken.None);
        var again = await rig.Provider.CreateAsync(members[1], CancellationToken.None);

        var created = Assert.Single(rig.Fake.Cloud.PlacementGroups);
        Assert.Equal(((AwsRig.Region, group), "cluster"), (created.Key, created.Value));
        var groupCall = rig.Fake.CallsTo("CreatePlacementGroup")[0];
        Assert.Equal(("placement-group", "broker-managed", "true"),
            (groupCall["TagSpecification.1.ResourceType"], groupCall["TagSpecification.1.Tag.1.Key"], groupCall["TagSpecification.1.Tag.1.Value"]));
        var runs = rig.Fake.CallsTo("RunInstances");
        Assert.All(runs, r => Assert.Equal((group, AwsRig.Zone), (r["Placement.GroupName"], r["Placement.AvailabilityZone"])));
        Assert.Equal(allocation.ToString(), runs[0]["ClientToken"]);
        Assert.Equal(CloudGang.MemberToken(allocation, 1).ToString(), runs[1]["ClientToken"]);
        Assert.NotEqual(first.InstanceId, second.InstanceId);
        Assert.Equal(second.InstanceId, again.InstanceId);
        Assert.Equal(2, rig.Fake.Cloud.Instances.Count);
        Assert.All(rig.Fake.Cloud.Instances, i => Assert.Equal((group, allocation.ToString()), (i.PlacementGroup, i.Tags[ManagedTags.Allocation])));
        Assert.All([first, second], i => Assert.Equal(allocation, i.AllocationId));
    }

    [Fact]
    public async Task A_single_instance_sends_no_placement_group()
    {
        await rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None);

        Assert.Empty(rig.Fake.CallsTo("CreatePlacementGroup"));
        Assert.Null(Assert.Single(rig.Fake.CallsTo("RunInstances"))["Placement.GroupName"]);
    }
}
