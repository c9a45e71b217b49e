using Broker.Core.Provisioning;
using Broker.Providers.Gcp;

namespace Broker.Providers.Tests.Gcp;

/// <summary>Cloud gang members (ADR 0012) on Compute Engine: one compact placement policy, referenced by each member.</summary>
public sealed class GcpGangTests : IAsyncLifetime
{
    private GcpRig rig = null!;

    public async Task InitializeAsync() => rig = await GcpRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    [Fact]
    public async Task Gang_members_reference_one_collocated_resource_policy_and_get_their_own_names_and_request_ids()
    {
        var gang = GcpRig.Request(machineType: "a3-highgpu-8g", zone: "us-central1-a");
        var group = CloudGang.PlacementGroupName(gang.AllocationId);
        var members = Enumerable.Range(0, 2).Select(m => gang with { Member = m, Members = 2, PlacementGroup = group }).ToList();

        var first = await rig.Provider.CreateAsync(members[0], CancellationToken.None);
        var second = await rig.Provider.CreateAsync(members[1], CancellationToken.None);

        var policyPath = $"projects/{rig.Options.Project}/regions/{GcpRig.Region}/resourcePolicies/{group}";
        var policy = Assert.Single(rig.Fake.State.ResourcePolicies());
        Assert.Equal(policyPath, policy.Key);
        Assert.Equal(("COLLOCATED", 2), (policy.Value["groupPlacementPolicy"]!["collocation"]!.GetValue<string>(),
            policy.Value["groupPlacementPolicy"]!["vmCount"]!.GetValue<int>()));
        var instances = rig.Fake.State.AllInstances();
        Assert.Equal(2, instances.Count);
        Assert.All(instances, i => Assert.Equal(policyPath, Assert.Single(i.Body["resourcePolicies"]!.AsArray())!.GetValue<string>()));
        Assert.Equal([GcpNaming.InstanceName(gang.AllocationId), GcpNaming.InstanceName(CloudGang.MemberToken(gang.AllocationId, 1))],
            new[] { first.InstanceId, second.InstanceId });
        Assert.Equal(2, rig.Inserts().Select(c => c.RequestId).Distinct().Count());
        Assert.All([first, second], i => Assert.Equal(gang.AllocationId, i.AllocationId));
    }

    [Fact]
    public async Task A_single_instance_references_no_resource_policy()
    {
        await rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None);

        Assert.Empty(rig.Fake.State.ResourcePolicies());
        Assert.Null(Assert.Single(rig.Fake.State.AllInstances()).Body["resourcePolicies"]);
    }
}
