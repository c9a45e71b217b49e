using System.Text.Json.Nodes;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Gcp;

namespace Broker.Providers.Tests.Gcp;

public sealed class GcpCreateTests
{
    [Fact]
    public async Task Create_returns_the_running_instance_labelled_with_its_allocation_and_job()
    {
        await using var rig = await GcpRig.StartAsync();
        var request = GcpRig.Request();

        var instance = await rig.Provider.CreateAsync(request, CancellationToken.None);

        Assert.Equal(("gcp", GcpNaming.InstanceName(request.AllocationId), "us-central1", "us-central1-a", "a2-highgpu-1g"),
            (instance.Provider, instance.InstanceId, instance.Region, instance.Zone, instance.InstanceType));
        Assert.Equal((CapacityType.OnDemand, InstanceState.Running), (instance.Market, instance.State));
        Assert.Equal((request.AllocationId, request.JobId), (instance.AllocationId, instance.JobId));
        var stored = Assert.Single(rig.Fake.State.AllInstances());
        Assert.Equal("true", stored.Labels[ManagedTags.Managed]);
        Assert.Equal(request.AllocationId.ToString(), stored.Labels[ManagedTags.Allocation]);
        Assert.Equal(request.JobId.ToString(), stored.Labels[ManagedTags.Job]);
        var metadata = stored.Body["metadata"]!["items"]!.AsArray().Single()!;
        Assert.Equal(("startup-script", request.StartupScript),
            (metadata["key"]!.GetValue<string>(), metadata["value"]!.GetValue<string>()));
    }

    [Fact]
    public async Task On_demand_gpu_machine_terminates_on_host_maintenance()
    {
        await using var rig = await GcpRig.StartAsync();

        await rig.Provider.CreateAsync(GcpRig.Request("g2-standard-8"), CancellationToken.None);

        var scheduling = rig.Fake.State.AllInstances().Single().Body["scheduling"]!;
        Assert.Equal("STANDARD", scheduling["provisioningModel"]!.GetValue<string>());
        Assert.Equal("TERMINATE", scheduling["onHostMaintenance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Spot_instance_is_spot_and_deleted_on_preemption()
    {
        await using var rig = await GcpRig.StartAsync();

        var instance = await rig.Provider.CreateAsync(GcpRig.Request(market: CapacityType.Spot), CancellationToken.None);

        Assert.Equal(CapacityType.Spot, instance.Market);
        var scheduling = (JsonObject)rig.Fake.State.AllInstances().Single().Body["scheduling"]!;
        Assert.Equal("SPOT", scheduling["provisioningModel"]!.GetValue<string>());
        Assert.Equal("DELETE", scheduling["instanceTerminationAction"]!.GetValue<string>());
        Assert.Equal("TERMINATE", scheduling["onHostMaintenance"]!.GetValue<string>());
        Assert.False(scheduling["automaticRestart"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Request_without_zone_goes_to_the_first_configured_zone_of_its_region()
    {
        await using var rig = await GcpRig.StartAsync();
        rig.Options.Zones[GcpRig.Region] = ["us-central1-b", "us-central1-a"];

        var instance = await rig.Provider.CreateAsync(GcpRig.Request(), CancellationToken.None);

        Assert.Equal("us-central1-b", instance.Zone);
        Assert.Equal("us-central1-b", rig.Fake.State.AllInstances().Single().Zone);
    }

    [Fact]
    public async Task Request_for_an_unconfigured_region_without_zone_is_invalid_and_sends_nothing()
    {
        await using var rig = await GcpRig.StartAsync();

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            rig.Provider.CreateAsync(GcpRig.Request(region: "europe-west4"), CancellationToken.None));

        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Empty(rig.Fake.State.Calls());
    }
}
