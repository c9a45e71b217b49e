using Broker.Core.Provisioning;
using Broker.Providers.Gcp;

namespace Broker.Providers.Tests.Gcp;

/// <summary>Garbage collection of cloud gangs' compact resource policies (ADR 0012) against the loopback Compute Engine.</summary>
public sealed class GcpPlacementGroupTests : IAsyncLifetime
{
    private GcpRig rig = null!;

    public async Task InitializeAsync() => rig = await GcpRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    private async Task<(InstanceRequest Member, ProviderInstance Instance)> LaunchMemberAsync()
    {
        var gang = GcpRig.Request(machineType: "a3-highgpu-8g", zone: "us-central1-a");
        var member = gang with { Members = 2, PlacementGroup = CloudGang.PlacementGroupName(gang.AllocationId) };
        return (member, await rig.Provider.CreateAsync(member, CancellationToken.None));
    }

    [Fact]
    public async Task Lists_the_regions_policies_named_as_brokers_across_pages_with_their_creation_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var members = new[] { await LaunchMemberAsync(), await LaunchMemberAsync() };
        rig.Fake.State.AddResourcePolicy($"projects/{rig.Options.Project}/regions/{GcpRig.Region}/resourcePolicies/nightly-snapshots",
            new System.Text.Json.Nodes.JsonObject { ["name"] = "nightly-snapshots" });

        var listed = await rig.Provider.ListPlacementGroupsAsync(CancellationToken.None);

        Assert.Equal(members.Select(m => m.Member.PlacementGroup!).Order(StringComparer.Ordinal), listed.Select(g => g.Name).Order(StringComparer.Ordinal));
        Assert.All(listed, g => Assert.Equal(("gcp", GcpRig.Region), (g.Provider, g.Region)));
        Assert.All(listed, g => Assert.InRange(g.CreatedAt!.Value, before, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Equal(2, rig.Fake.State.Calls().Count(c => c.Method == "GET" && c.Path.EndsWith("/resourcePolicies", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_policy_is_in_use_until_its_instance_is_gone_then_deleted_once_and_a_second_delete_is_success()
    {
        var (member, instance) = await LaunchMemberAsync();
        var group = member.PlacementGroup!;

        var running = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.DeletePlacementGroupAsync(GcpRig.Region, group, CancellationToken.None));
        // The instance's delete has started (STOPPING) but not finished: GCE still counts it as a user of the policy.
        var stopping = await rig.Client.DeleteInstanceAsync(rig.Options.Project, "us-central1-a", instance.InstanceId, Guid.NewGuid(), CancellationToken.None);
        var whileStopping = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.DeletePlacementGroupAsync(GcpRig.Region, group, CancellationToken.None));
        await rig.Client.WaitZoneOperationAsync(rig.Options.Project, "us-central1-a", stopping!.Name!, CancellationToken.None);
        var deleted = await rig.Provider.DeletePlacementGroupAsync(GcpRig.Region, group, CancellationToken.None);
        var again = await rig.Provider.DeletePlacementGroupAsync(GcpRig.Region, group, CancellationToken.None);

        Assert.All([running, whileStopping], e => Assert.Equal((ProviderErrorKind.Transient, "resourceInUseByAnotherResource"), (e.Kind, e.ProviderCode)));
        Assert.Equal((true, false), (deleted, again));
        Assert.Empty(rig.Fake.State.ResourcePolicies());
        Assert.Equal(4, rig.Fake.State.Calls().Count(c => c.Method == "DELETE" && c.Path.EndsWith("/resourcePolicies/" + group, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_policy_that_is_not_brokers_is_never_sent_a_delete()
    {
        var refused = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.DeletePlacementGroupAsync(GcpRig.Region, "nightly-snapshots", CancellationToken.None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, refused.Kind);
        Assert.DoesNotContain(rig.Fake.State.Calls(), c => c.Method == "DELETE");
    }
}
