using Broker.Core.Provisioning;

namespace Broker.Providers.Tests.Azure;

/// <summary>Garbage collection of cloud gangs' proximity placement groups (ADR 0012) against the loopback ARM.</summary>
public sealed class AzurePlacementGroupTests
{
    private static async Task<(InstanceRequest Member, ProviderInstance Instance)> LaunchMemberAsync(AzureFakeHarness harness)
    {
        var gang = AzureFakeHarness.Request();
        var member = gang with { Members = 2, PlacementGroup = CloudGang.PlacementGroupName(gang.AllocationId) };
        return (member, await harness.Provider.CreateAsync(member, CancellationToken.None));
    }

    [Fact]
    public async Task Lists_the_resource_groups_managed_groups_named_as_brokers_across_pages()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var (first, _) = await LaunchMemberAsync(harness);
        var (second, _) = await LaunchMemberAsync(harness);
        harness.Arm.AddProximityPlacementGroup(CloudGang.PlacementGroupName(Guid.NewGuid()), AzureFakeHarness.Region, new Dictionary<string, string>());
        harness.Arm.AddProximityPlacementGroup("sap-ppg", AzureFakeHarness.Region, new Dictionary<string, string> { [ManagedTags.Managed] = "true" });

        var listed = await harness.Provider.ListPlacementGroupsAsync(CancellationToken.None);

        Assert.Equal(new[] { first.PlacementGroup!, second.PlacementGroup! }.Order(StringComparer.Ordinal), listed.Select(g => g.Name).Order(StringComparer.Ordinal));
        Assert.All(listed, g => Assert.Equal(("azure", AzureFakeHarness.Region), (g.Provider, g.Region)));
        // Four groups, pages of two: the second page is the nextLink.
        Assert.Equal(2, harness.Arm.CallsTo("GET", "/proximityPlacementGroups").Count);
        Assert.Empty(harness.Arm.UnknownCalls);
    }

    [Fact]
    public async Task A_group_is_refused_while_its_vm_exists_then_deleted_once_and_a_second_delete_is_success()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        var (member, instance) = await LaunchMemberAsync(harness);
        var group = member.PlacementGroup!;

        var inUse = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.DeletePlacementGroupAsync(AzureFakeHarness.Region, group, CancellationToken.None));
        await harness.Provider.TerminateAsync(AzureFakeHarness.Region, null, instance.InstanceId, CancellationToken.None);
        var deleted = await harness.Provider.DeletePlacementGroupAsync(AzureFakeHarness.Region, group, CancellationToken.None);
        var again = await harness.Provider.DeletePlacementGroupAsync(AzureFakeHarness.Region, group, CancellationToken.None);

        Assert.Equal((ProviderErrorKind.Transient, "OperationNotAllowed"), (inUse.Kind, inUse.ProviderCode));
        Assert.Equal((true, false), (deleted, again));
        Assert.Empty(harness.Arm.ProximityPlacementGroups);
        Assert.Equal(3, harness.Arm.CallsTo("DELETE", "/proximityPlacementGroups/" + group).Count);
        Assert.Empty(harness.Arm.UnknownCalls);
    }

    [Fact]
    public async Task A_group_that_is_not_brokers_is_never_sent_a_delete()
    {
        await using var harness = await AzureFakeHarness.StartAsync();
        harness.Arm.AddProximityPlacementGroup("sap-ppg", AzureFakeHarness.Region, new Dictionary<string, string>());

        var refused = await Assert.ThrowsAsync<ProviderException>(() => harness.Provider.DeletePlacementGroupAsync(AzureFakeHarness.Region, "sap-ppg", CancellationToken.None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, refused.Kind);
        Assert.DoesNotContain(harness.Arm.Calls, c => c.Method == "DELETE");
        Assert.Single(harness.Arm.ProximityPlacementGroups);
    }
}
