using Broker.Core.Provisioning;
using Broker.Providers.Simulated;

namespace Broker.Providers.Tests.Simulated;

/// <summary>The simulated clouds' placement groups (ADR 0012): made by a gang member's create, deletable once no instance is in them.</summary>
public sealed class SimulatedPlacementGroupTests
{
    [Theory]
    [InlineData("aws", "us-east-1", "p3.2xlarge", "InvalidPlacementGroup.InUse")]
    [InlineData("azure", "eastus", "Standard_NC6s_v3", "Conflict")]
    [InlineData("gcp", "us-central1", "a3-highgpu-1g", "resourceInUseByAnotherResource")]
    public async Task A_group_is_in_use_until_every_member_is_terminated_then_deleted_once(string provider, string region, string type, string inUseCode)
    {
        using var f = new SimulatedFixture(provider);
        var gang = SimulatedFixture.Request(region, type);
        var group = CloudGang.PlacementGroupName(gang.AllocationId);
        var members = new List<ProviderInstance>();
        for (var m = 0; m < 2; m++)
        {
            members.Add(await f.Create(gang with { Member = m, Members = 2, PlacementGroup = group }));
        }

        var listed = Assert.Single(await f.Cloud.ListPlacementGroupsAsync(CancellationToken.None));
        await f.Cloud.TerminateAsync(region, null, members[0].InstanceId, CancellationToken.None);
        var inUse = await Assert.ThrowsAsync<ProviderException>(() => f.Cloud.DeletePlacementGroupAsync(region, group, CancellationToken.None));
        await f.Cloud.TerminateAsync(region, null, members[1].InstanceId, CancellationToken.None);
        var deleted = await f.Cloud.DeletePlacementGroupAsync(region, group, CancellationToken.None);
        var again = await f.Cloud.DeletePlacementGroupAsync(region, group, CancellationToken.None);

        Assert.Equal((provider, region, group, gang.AllocationId, SimulatedFixture.Start), (listed.Provider, listed.Region, listed.Name, listed.AllocationId!.Value, listed.CreatedAt!.Value));
        Assert.Equal((ProviderErrorKind.Transient, inUseCode), (inUse.Kind, inUse.ProviderCode));
        Assert.Equal((true, false), (deleted, again));
        Assert.Empty(f.Cloud.PlacementGroups);
    }

    [Fact]
    public async Task A_member_refused_for_capacity_still_leaves_the_group_it_was_to_launch_into()
    {
        using var f = new SimulatedFixture(options: new SimulatedCloudOptions { CapacityPerOffer = 0 });
        var gang = SimulatedFixture.Request() with { Members = 2 };
        gang = gang with { PlacementGroup = CloudGang.PlacementGroupName(gang.AllocationId) };

        await Assert.ThrowsAsync<ProviderException>(() => f.Create(gang));

        Assert.Equal([gang.PlacementGroup], f.Cloud.PlacementGroups);
        Assert.True(await f.Cloud.DeletePlacementGroupAsync(gang.Region, gang.PlacementGroup!, CancellationToken.None));
    }
}
