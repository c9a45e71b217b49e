using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Tests.Aws;

public sealed class AwsTerminateAndListTests : IAsyncLifetime
{
    private AwsRig rig = null!;

    public async Task InitializeAsync() => rig = await AwsRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    [Theory]
    [InlineData("i-0000000000000dead")]
    [InlineData("not-an-instance-id")]
    public async Task Terminate_of_unknown_instance_succeeds(string instanceId)
    {
        await rig.Provider.TerminateAsync(AwsRig.Region, AwsRig.Zone, instanceId, CancellationToken.None);

        var call = Assert.Single(rig.Fake.Calls);
        Assert.Equal(("TerminateInstances", instanceId), (call.Action, call["InstanceId.1"]));
    }

    [Fact]
    public async Task Terminate_ends_the_instance_in_its_region_and_can_be_repeated()
    {
        var instance = await rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None);

        await rig.Provider.TerminateAsync(instance.Region, instance.Zone, instance.InstanceId, CancellationToken.None);
        await rig.Provider.TerminateAsync(instance.Region, instance.Zone, instance.InstanceId, CancellationToken.None);

        Assert.Equal("terminated", Assert.Single(rig.Fake.Cloud.Instances).State);
        Assert.Empty(await rig.Provider.ListManagedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Terminate_failure_other_than_not_found_is_reported()
    {
        rig.Fake.Faults.Inject("TerminateInstances", "UnauthorizedOperation");

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            rig.Provider.TerminateAsync(AwsRig.Region, null, "i-0000000000000beef", CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Auth, error.Kind);
    }

    [Fact]
    public async Task List_by_tag_finds_exactly_the_managed_live_instances_of_every_region_across_pages()
    {
        rig.Fake.Cloud.MaxPageSize = 1;
        var east = AwsRig.Request(market: CapacityType.Spot);
        var eastCreated = await rig.Provider.CreateAsync(east, CancellationToken.None);
        var eastSecond = await rig.Provider.CreateAsync(AwsRig.Request(instanceType: "g6.xlarge"), CancellationToken.None);
        var west = await rig.Provider.CreateAsync(AwsRig.Request(region: AwsRig.OtherRegion, zone: "us-west-2c"), CancellationToken.None);
        var ended = await rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None);
        await rig.Provider.TerminateAsync(ended.Region, ended.Zone, ended.InstanceId, CancellationToken.None);
        rig.Fake.Cloud.AddInstance(AwsRig.Region, AwsRig.GpuType);
        rig.Fake.Cloud.AddInstance(AwsRig.Region, AwsRig.GpuType, new Dictionary<string, string> { [ManagedTags.Managed] = "false" });

        var listed = await rig.Provider.ListManagedAsync(CancellationToken.None);

        Assert.Equal(
            new[] { eastCreated.InstanceId, eastSecond.InstanceId, west.InstanceId }.Order(),
            listed.Select(i => i.InstanceId).Order());
        var spot = listed.Single(i => i.InstanceId == eastCreated.InstanceId);
        Assert.Equal((east.AllocationId, east.JobId), (spot.AllocationId, spot.JobId));
        Assert.Equal((CapacityType.Spot, InstanceState.Running, AwsRig.Region), (spot.Market, spot.State, spot.Region));
        var westListed = listed.Single(i => i.InstanceId == west.InstanceId);
        Assert.Equal((AwsRig.OtherRegion, "us-west-2c"), (westListed.Region, westListed.Zone));

        var describes = rig.Fake.CallsTo("DescribeInstances");
        Assert.True(describes.Count(c => c.Region == AwsRig.Region) >= 2, "the east region needs more than one page");
        Assert.Contains(describes, c => c.Region == AwsRig.OtherRegion);
        Assert.All(describes, c => Assert.Equal(("tag:broker-managed", "true"), (c["Filter.1.Name"], c["Filter.1.Value.1"])));
    }

    [Fact]
    public async Task List_fails_whole_when_any_region_cannot_be_read()
    {
        await rig.Provider.CreateAsync(AwsRig.Request(), CancellationToken.None);
        rig.Fake.Faults.Inject("DescribeInstances", "Unavailable", times: 1);

        var error = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.ListManagedAsync(CancellationToken.None));

        Assert.Equal(ProviderErrorKind.Transient, error.Kind);
    }
}
