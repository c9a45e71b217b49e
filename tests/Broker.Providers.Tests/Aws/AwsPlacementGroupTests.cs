using Broker.Core.Provisioning;

namespace Broker.Providers.Tests.Aws;

/// <summary>Garbage collection of cloud gangs' cluster placement groups (ADR 0012) against the loopback EC2.</summary>
public sealed class AwsPlacementGroupTests : IAsyncLifetime
{
    private AwsRig rig = null!;

    public async Task InitializeAsync() => rig = await AwsRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    private async Task<(InstanceRequest Member, ProviderInstance Instance)> LaunchMemberAsync()
    {
        var allocation = Guid.NewGuid();
        var member = AwsRig.Request(allocationId: allocation) with { Members = 2, PlacementGroup = CloudGang.PlacementGroupName(allocation) };
        return (member, await rig.Provider.CreateAsync(member, CancellationToken.None));
    }

    [Fact]
    public async Task Lists_only_groups_that_are_tagged_and_named_as_brokers_in_every_configured_region()
    {
        var (member, _) = await LaunchMemberAsync();
        var foreignName = CloudGang.PlacementGroupName(Guid.NewGuid());
        rig.Fake.Cloud.AddPlacementGroup(AwsRig.Region, foreignName);
        rig.Fake.Cloud.AddPlacementGroup(AwsRig.OtherRegion, "hpc-team-cluster", new Dictionary<string, string> { [ManagedTags.Managed] = "true" });
        var otherRegion = CloudGang.PlacementGroupName(Guid.NewGuid());
        rig.Fake.Cloud.AddPlacementGroup(AwsRig.OtherRegion, otherRegion, new Dictionary<string, string> { [ManagedTags.Managed] = "true" });

        var listed = await rig.Provider.ListPlacementGroupsAsync(CancellationToken.None);

        Assert.Equal([(AwsRig.Region, member.PlacementGroup!, member.AllocationId), (AwsRig.OtherRegion, otherRegion, CloudGang.AllocationOfPlacementGroup(otherRegion)!.Value)],
            listed.Select(g => (g.Region, g.Name, g.AllocationId!.Value)).OrderBy(g => g.Region, StringComparer.Ordinal));
        Assert.All(listed, g => Assert.Equal(("aws", (DateTimeOffset?)null), (g.Provider, g.CreatedAt)));
        var describe = rig.Fake.CallsTo("DescribePlacementGroups");
        Assert.Equal([AwsRig.Region, AwsRig.OtherRegion], describe.Select(c => c.Region));
        Assert.All(describe, c => Assert.Equal(("tag:broker-managed", "true"), (c["Filter.1.Name"], c["Filter.1.Value.1"])));
    }

    [Fact]
    public async Task A_group_is_in_use_until_its_member_is_terminated_then_deleted_once_and_a_second_delete_is_success()
    {
        rig.Fake.Cloud.ShutdownLingers = true;
        var (member, instance) = await LaunchMemberAsync();
        var group = member.PlacementGroup!;

        var running = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.DeletePlacementGroupAsync(AwsRig.Region, group, CancellationToken.None));
        await rig.Provider.TerminateAsync(AwsRig.Region, AwsRig.Zone, instance.InstanceId, CancellationToken.None);
        var shuttingDown = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.DeletePlacementGroupAsync(AwsRig.Region, group, CancellationToken.None));
        rig.Fake.Cloud.FinishShutdowns();
        var deleted = await rig.Provider.DeletePlacementGroupAsync(AwsRig.Region, group, CancellationToken.None);
        var again = await rig.Provider.DeletePlacementGroupAsync(AwsRig.Region, group, CancellationToken.None);

        Assert.All([running, shuttingDown], e => Assert.Equal((ProviderErrorKind.Transient, "InvalidPlacementGroup.InUse"), (e.Kind, e.ProviderCode)));
        Assert.Equal((true, false), (deleted, again));
        Assert.Empty(rig.Fake.Cloud.PlacementGroups);
        Assert.All(rig.Fake.CallsTo("DeletePlacementGroup"), c => Assert.Equal((AwsRig.Region, group), (c.Region, c["GroupName"])));
        Assert.Empty(await rig.Provider.ListPlacementGroupsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_group_that_is_not_brokers_is_never_sent_a_delete()
    {
        rig.Fake.Cloud.AddPlacementGroup(AwsRig.Region, "hpc-team-cluster");

        var refused = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.DeletePlacementGroupAsync(AwsRig.Region, "hpc-team-cluster", CancellationToken.None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, refused.Kind);
        Assert.Empty(rig.Fake.CallsTo("DeletePlacementGroup"));
        Assert.Single(rig.Fake.Cloud.PlacementGroups);
    }
}
