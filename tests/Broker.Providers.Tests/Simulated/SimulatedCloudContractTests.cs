using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Simulated;

namespace Broker.Providers.Tests.Simulated;

public sealed class SimulatedCloudContractTests
{
    [Theory]
    [InlineData("aws", "us-east-1", "p3.2xlarge")]
    [InlineData("azure", "eastus", "Standard_NC6s_v3")]
    [InlineData("gcp", "us-central1", "a3-highgpu-1g")]
    public async Task Create_twice_with_the_same_allocation_yields_one_instance(string provider, string region, string type)
    {
        using var f = new SimulatedFixture(provider);
        var request = SimulatedFixture.Request(region, type);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => f.Create(request))));

        Assert.Single(results.Select(r => r.InstanceId).Distinct());
        var listed = Assert.Single(await f.Cloud.ListManagedAsync(CancellationToken.None));
        Assert.Equal(request.AllocationId, listed.AllocationId);
        Assert.Equal(request.JobId, listed.JobId);
        Assert.Equal(provider, listed.Provider);
    }

    [Fact]
    public async Task Allocations_placed_in_the_same_millisecond_get_distinct_instances_and_terminate_only_their_own()
    {
        using var f = new SimulatedFixture(options: new SimulatedCloudOptions { ProvisioningDelay = TimeSpan.Zero, CapacityPerOffer = 5000 });
        // One placement pass stamps every allocation it writes with the same moment (UUIDv7).
        var requests = Enumerable.Range(0, 2000).Select(_ => SimulatedFixture.Request(allocation: Guid.CreateVersion7(SimulatedFixture.Start))).ToList();
        var created = new List<ProviderInstance>();
        foreach (var request in requests)
        {
            created.Add(await f.Create(request));
        }

        Assert.Equal(requests.Count, created.Select(i => i.InstanceId).Distinct().Count());
        foreach (var instance in created.Skip(1))
        {
            await f.Cloud.TerminateAsync(instance.Region, null, instance.InstanceId, CancellationToken.None);
        }
        var listed = Assert.Single(await f.Cloud.ListManagedAsync(CancellationToken.None));
        Assert.Equal(requests[0].AllocationId, listed.AllocationId);
    }

    [Fact]
    public async Task Create_with_a_known_allocation_but_other_parameters_is_refused()
    {
        using var f = new SimulatedFixture();
        var request = SimulatedFixture.Request();
        await f.Create(request);

        var e = await Assert.ThrowsAsync<ProviderException>(() => f.Create(request with { InstanceType = "p5.48xlarge" }));

        Assert.Equal(ProviderErrorKind.InvalidRequest, e.Kind);
        Assert.Equal("IdempotentParameterMismatch", e.ProviderCode);
    }

    [Fact]
    public async Task Terminate_of_unknown_instance_succeeds()
    {
        using var f = new SimulatedFixture();

        await f.Cloud.TerminateAsync("us-east-1", null, "i-0123456789abcdef0", CancellationToken.None);

        Assert.Empty(await f.Cloud.ListManagedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task List_managed_returns_only_live_managed_instances()
    {
        using var f = new SimulatedFixture();
        var kept = await f.Create(SimulatedFixture.Request());
        var terminated = await f.Create(SimulatedFixture.Request(type: "p5.48xlarge"));
        f.Cloud.LaunchExternal("us-east-1", "p3.2xlarge");
        await f.Cloud.TerminateAsync("us-east-1", null, terminated.InstanceId, CancellationToken.None);
        await f.Cloud.TerminateAsync("us-east-1", null, terminated.InstanceId, CancellationToken.None);

        var listed = await f.Cloud.ListManagedAsync(CancellationToken.None);

        Assert.Equal([kept.InstanceId], listed.Select(i => i.InstanceId));
    }

    [Fact]
    public async Task A_create_after_terminate_returns_the_terminated_instance_not_a_new_one()
    {
        using var f = new SimulatedFixture();
        var request = SimulatedFixture.Request();
        var first = await f.Create(request);
        await f.Cloud.TerminateAsync(request.Region, null, first.InstanceId, CancellationToken.None);

        var again = await f.Create(request);

        Assert.Equal(first.InstanceId, again.InstanceId);
        Assert.Equal(InstanceState.Terminated, again.State);
    }

    [Fact]
    public async Task Unknown_instance_types_and_missing_spot_markets_are_invalid_requests()
    {
        using var aws = new SimulatedFixture();
        using var azure = new SimulatedFixture("azure");

        var unknown = await Assert.ThrowsAsync<ProviderException>(() => aws.Create(SimulatedFixture.Request(type: "p9.huge")));
        var noSpot = await Assert.ThrowsAsync<ProviderException>(() =>
            azure.Create(SimulatedFixture.Request("eastus", "Standard_NC40ads_H100_v5", CapacityType.Spot)));

        Assert.Equal(ProviderErrorKind.InvalidRequest, unknown.Kind);
        Assert.Equal(ProviderErrorKind.InvalidRequest, noSpot.Kind);
    }

    [Theory]
    [InlineData("aws", "us-east-1", "p3.2xlarge", "SpotMaxPriceTooLow")]
    [InlineData("azure", "eastus", "Standard_NC6s_v3", "SpotPriceGreaterThanProvidedMaxPrice")]
    public async Task A_spot_max_price_below_the_spot_price_is_a_capacity_error(string provider, string region, string type, string code)
    {
        using var f = new SimulatedFixture(provider);

        var e = await Assert.ThrowsAsync<ProviderException>(() =>
            f.Create(SimulatedFixture.Request(region, type, CapacityType.Spot, maxPrice: 0.01m)));

        Assert.Equal(ProviderErrorKind.Capacity, e.Kind);
        Assert.Equal(code, e.ProviderCode);
    }
}
