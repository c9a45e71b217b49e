using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpListManagedTests
{
    [Fact]
    public async Task List_finds_exactly_the_managed_instances_across_pages()
    {
        await using var rig = await GcpRig.StartAsync();
        var requests = new[]
        {
            GcpRig.Request(),
            GcpRig.Request("g2-standard-8", CapacityType.Spot, zone: "us-central1-b"),
            GcpRig.Request("a3-highgpu-8g"),
        };
        foreach (var request in requests)
        {
            await rig.Provider.CreateAsync(request, CancellationToken.None);
        }
        rig.Fake.Seed("us-central1-a", "someone-elses-vm", "n2-standard-4");
        rig.Fake.Seed("us-central1-b", "not-broker", "g2-standard-4", new Dictionary<string, string> { [ManagedTags.Managed] = "false" });
        rig.Fake.PageSize = 1;

        var listed = await rig.Provider.ListManagedAsync(CancellationToken.None);

        Assert.Equal(requests.Select(r => r.AllocationId).Order(), listed.Select(i => i.AllocationId!.Value).Order());
        var spot = Assert.Single(listed, i => i.Market == CapacityType.Spot);
        Assert.Equal((requests[1].JobId, "us-central1-b", "g2-standard-8"), (spot.JobId!.Value, spot.Zone!, spot.InstanceType));
        Assert.All(listed, i => Assert.Equal(InstanceState.Running, i.State));
        var listCalls = rig.Fake.State.Calls().Where(c => c.Path.EndsWith("/aggregated/instances", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, listCalls.Count);
    }

    [Fact]
    public async Task List_reports_a_stopped_instance_so_it_can_be_collected()
    {
        await using var rig = await GcpRig.StartAsync();
        var request = GcpRig.Request();
        rig.Fake.Seed("us-central1-a", "broker-stopped", "a2-highgpu-1g",
            new Dictionary<string, string> { [ManagedTags.Managed] = "true", [ManagedTags.Allocation] = request.AllocationId.ToString() },
            status: "TERMINATED");

        var listed = Assert.Single(await rig.Provider.ListManagedAsync(CancellationToken.None));

        Assert.Equal((request.AllocationId, InstanceState.ShuttingDown, (Guid?)null), (listed.AllocationId!.Value, listed.State, listed.JobId));
    }
}
