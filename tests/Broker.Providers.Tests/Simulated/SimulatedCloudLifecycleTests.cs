using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Simulated;

namespace Broker.Providers.Tests.Simulated;

public sealed class SimulatedCloudLifecycleTests
{
    [Fact]
    public async Task An_instance_is_pending_for_the_provisioning_delay_then_running()
    {
        using var f = new SimulatedFixture();
        var created = await f.Create(SimulatedFixture.Request());
        Assert.Equal(InstanceState.Pending, created.State);

        f.Clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(InstanceState.Pending, (await f.Find(created.InstanceId))!.State);

        f.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(InstanceState.Running, (await f.Find(created.InstanceId))!.State);
        Assert.Equal(SimulatedFixture.Start, created.LaunchedAt);
    }

    [Fact]
    public async Task The_timer_publishes_start_and_finish_with_the_exit_code_at_the_moments_they_happen()
    {
        using var f = new SimulatedFixture();
        var raised = new List<SimulatedInstanceEvent>();
        f.Events.Raised += raised.Add;
        var request = SimulatedFixture.Request(runFor: TimeSpan.FromMinutes(30), exitCode: 3);
        await f.Create(request);

        f.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal([SimulatedEventKind.Started, SimulatedEventKind.Finished], raised.Select(e => e.Kind));
        Assert.Equal(SimulatedFixture.Start.AddMinutes(2), raised[0].At);
        Assert.Equal(SimulatedFixture.Start.AddMinutes(32), raised[1].At);
        Assert.Equal(3, raised[1].ExitCode);
        Assert.Equal(raised, f.Events.For(request.AllocationId));
        Assert.Equal([raised[1]], f.Events.Since(raised[0].Sequence));
    }

    [Fact]
    public async Task A_finished_job_leaves_its_instance_running_until_terminated()
    {
        using var f = new SimulatedFixture();
        var created = await f.Create(SimulatedFixture.Request(runFor: TimeSpan.FromMinutes(5)));

        f.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(InstanceState.Running, (await f.Find(created.InstanceId))!.State);
        Assert.Equal(2, f.Events.Since(0).Count);
    }

    [Fact]
    public async Task Time_scale_shortens_delays_and_runs_on_the_clock()
    {
        var options = new SimulatedCloudOptions { ProvisioningDelay = TimeSpan.FromMinutes(1), TimeScale = 60 };
        using var f = new SimulatedFixture(options: options);
        var request = SimulatedFixture.Request(runFor: TimeSpan.FromHours(1));
        await f.Create(request);

        f.Clock.Advance(TimeSpan.FromSeconds(61));

        var finished = Assert.Single(f.Events.For(request.AllocationId), e => e.Kind == SimulatedEventKind.Finished);
        Assert.Equal(SimulatedFixture.Start.AddSeconds(61), finished.At);
    }

    [Theory]
    [InlineData("aws", "us-east-1", "p3.2xlarge", CapacityType.OnDemand, "InsufficientInstanceCapacity")]
    [InlineData("aws", "us-east-1", "p3.2xlarge", CapacityType.Spot, "InsufficientInstanceCapacity")]
    [InlineData("azure", "eastus", "Standard_NC6s_v3", CapacityType.OnDemand, "AllocationFailed")]
    [InlineData("azure", "eastus", "Standard_NC6s_v3", CapacityType.Spot, "SkuNotAvailable")]
    [InlineData("gcp", "us-central1", "a3-highgpu-1g", CapacityType.OnDemand, "ZONE_RESOURCE_POOL_EXHAUSTED")]
    public async Task Exceeding_the_capacity_of_an_offer_gives_the_clouds_capacity_error(string provider, string region, string type,
        CapacityType market, string code)
    {
        using var f = new SimulatedFixture(provider);
        var first = await f.Create(SimulatedFixture.Request(region, type, market));
        await f.Create(SimulatedFixture.Request(region, type, market));

        var e = await Assert.ThrowsAsync<ProviderException>(() => f.Create(SimulatedFixture.Request(region, type, market)));

        Assert.Equal(ProviderErrorKind.Capacity, e.Kind);
        Assert.Equal(BlockScope.Offering, e.Scope);
        Assert.Equal(code, e.ProviderCode);
        await f.Cloud.TerminateAsync(region, null, first.InstanceId, CancellationToken.None);
        await f.Create(SimulatedFixture.Request(region, type, market));
    }

    [Fact]
    public async Task Instances_launched_outside_Broker_use_capacity_too()
    {
        using var f = new SimulatedFixture();
        f.Cloud.LaunchExternal("us-east-1", "p3.2xlarge");
        f.Cloud.LaunchExternal("us-east-1", "p3.2xlarge");

        await Assert.ThrowsAsync<ProviderException>(() => f.Create(SimulatedFixture.Request()));
        await f.Create(SimulatedFixture.Request(market: CapacityType.Spot));
    }

    [Fact]
    public async Task Terminated_instances_raise_no_more_events()
    {
        using var f = new SimulatedFixture();
        var request = SimulatedFixture.Request();
        var created = await f.Create(request);
        await f.Cloud.TerminateAsync(request.Region, null, created.InstanceId, CancellationToken.None);

        f.Clock.Advance(TimeSpan.FromHours(3));

        Assert.Empty(f.Events.For(request.AllocationId));
    }
}
