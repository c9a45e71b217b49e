using Broker.Core.Provisioning;
using Broker.Providers.Azure;

namespace Broker.Providers.Tests.Azure;

/// <summary>Cloud gang members (ADR 0012) on Azure: one proximity placement group, referenced by each member's VM.</summary>
public sealed class AzureGangTests
{
    [Fact]
    public async Task Gang_members_are_vms_of_their_own_names_in_one_tagged_proximity_placement_group()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var gang = AzureFakeHarness.Request();
        var group = CloudGang.PlacementGroupName(gang.AllocationId);
        var members = Enumerable.Range(0, 2).Select(m => gang with { Member = m, Members = 2, PlacementGroup = group }).ToList();

        var first = await harness.Provider.CreateAsync(members[0], CancellationToken.None);
        var second = await harness.Provider.CreateAsync(members[1], CancellationToken.None);

        var ppg = Assert.Single(harness.Arm.ProximityPlacementGroups);
        Assert.Equal(group, ppg.Key);
        Assert.Equal(("Standard", "true", gang.AllocationId.ToString()), ((string?)ppg.Value["properties"]!["proximityPlacementGroupType"],
            (string?)ppg.Value["tags"]![ManagedTags.Managed], (string?)ppg.Value["tags"]![ManagedTags.Allocation]));
        var ppgId = (string)ppg.Value["id"]!;
        Assert.Equal(2, harness.Arm.VirtualMachines.Count);
        Assert.All(harness.Arm.VirtualMachines, vm => Assert.Equal(ppgId, (string?)vm["properties"]!["proximityPlacementGroup"]!["id"], StringComparer.OrdinalIgnoreCase));
        Assert.Equal([AzureNames.VirtualMachine(gang.AllocationId), AzureNames.VirtualMachine(CloudGang.MemberToken(gang.AllocationId, 1))],
            new[] { first.InstanceId, second.InstanceId });
        Assert.All([first, second], i => Assert.Equal(gang.AllocationId, i.AllocationId));
        Assert.Empty(harness.Arm.UnknownCalls);
    }

    [Fact]
    public async Task A_single_vm_references_no_proximity_placement_group()
    {
        await using var harness = await AzureFakeHarness.StartAsync();

        await harness.Provider.CreateAsync(AzureFakeHarness.Request(), CancellationToken.None);

        Assert.Empty(harness.Arm.ProximityPlacementGroups);
        Assert.Null(Assert.Single(harness.Arm.VirtualMachines)["properties"]!["proximityPlacementGroup"]);
    }
}
