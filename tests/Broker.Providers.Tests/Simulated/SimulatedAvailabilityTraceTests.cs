using System.Text.Json;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;
using Broker.Providers.Simulated;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Providers.Tests.Simulated;

public sealed class SimulatedAvailabilityTraceTests : IDisposable
{
    private readonly string fixturePath = Path.Combine(Path.GetTempPath(), $"broker-trace-{Guid.NewGuid():N}.json");

    public SimulatedAvailabilityTraceTests()
    {
        // Ticks of 60 s: capacity for two minutes, none for two, then capacity again.
        File.WriteAllText(fixturePath, """{"metadata": {"gap_seconds": 60}, "data": [1, 1, 0, 0, 1, 1, 1, 1]}""");
    }

    public void Dispose() => File.Delete(fixturePath);

    private static SimulatedCloudOptions NoDelay() => new() { ProvisioningDelay = TimeSpan.Zero, CapacityPerOffer = 4 };

    [Fact]
    public void The_gap_is_read_from_the_file()
    {
        var trace = SpotAvailabilityTrace.Load(fixturePath);

        Assert.Equal(60, trace.GapSeconds);
        Assert.Equal(8 * 60, trace.PeriodSeconds);
        Assert.Equal(120, trace.NextUnavailable(0));
        Assert.Equal(10 * 60, trace.NextUnavailable(5 * 60));
    }

    [Fact]
    public async Task Availability_zero_interrupts_spot_and_refuses_spot_creates_until_it_returns()
    {
        using var f = new SimulatedFixture(options: NoDelay(), trace: SpotAvailabilityTrace.Load(fixturePath));
        var spot = SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromHours(1));
        var onDemand = SimulatedFixture.Request(type: "p5.48xlarge", runFor: TimeSpan.FromHours(1));
        var spotInstance = await f.Create(spot);
        await f.Create(onDemand);

        f.Clock.Advance(TimeSpan.FromMinutes(2.5));

        var interrupted = f.Events.For(spot.AllocationId)[^1];
        Assert.Equal(SimulatedEventKind.Interrupted, interrupted.Kind);
        Assert.Equal(SimulatedFixture.Start.AddMinutes(2), interrupted.At);
        Assert.Null(await f.Find(spotInstance.InstanceId));
        Assert.DoesNotContain(f.Events.For(onDemand.AllocationId), e => e.Kind == SimulatedEventKind.Interrupted);
        var refused = await Assert.ThrowsAsync<ProviderException>(() => f.Create(SimulatedFixture.Request(market: CapacityType.Spot)));
        Assert.Equal("InsufficientInstanceCapacity", refused.ProviderCode);
        await f.Create(SimulatedFixture.Request(type: "p5.48xlarge"));

        f.Clock.Advance(TimeSpan.FromMinutes(2));

        await f.Create(SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public async Task A_spot_job_that_ends_before_the_first_tick_without_capacity_is_not_interrupted()
    {
        using var f = new SimulatedFixture(options: NoDelay(), trace: SpotAvailabilityTrace.Load(fixturePath));
        var spot = SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromSeconds(90));
        await f.Create(spot);

        f.Clock.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(SimulatedEventKind.Finished, f.Events.For(spot.AllocationId)[^1].Kind);
        Assert.DoesNotContain(f.Events.For(spot.AllocationId), e => e.Kind == SimulatedEventKind.Interrupted);
    }

    [SkippableFact]
    public async Task A_real_can_t_be_late_trace_interrupts_at_its_first_tick_without_capacity()
    {
        var path = SharedSpotTraces.Find("availability/1-node/aws-02-15-2023/us-west-2b_v100_1.json");
        Skip.If(path is null, "../shared/data/spot is not beside the repository");
        using var json = JsonDocument.Parse(File.ReadAllText(path!));
        var gap = TimeSpan.FromSeconds(json.RootElement.GetProperty("metadata").GetProperty("gap_seconds").GetDouble());
        var data = json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetInt32()).ToList();
        var firstZero = data.IndexOf(0);
        Assert.True(data[0] > 0 && firstZero > 0);
        var options = NoDelay();
        options.AvailabilityTracePath = path;
        var clock = new FakeTimeProvider(SimulatedFixture.Start);
        var events = new SimulatedInstanceEvents();
        using var clouds = new SimulatedClouds(SimulatedFixture.Catalog, options, clock, events,
            new StartupScriptWorkload(TimeSpan.FromDays(30)));
        var request = SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromDays(30));
        await clouds["aws"].CreateAsync(request, CancellationToken.None);

        clock.Advance(gap * firstZero + TimeSpan.FromSeconds(1));

        var last = events.For(request.AllocationId)[^1];
        Assert.Equal(SimulatedEventKind.Interrupted, last.Kind);
        Assert.Equal(SimulatedFixture.Start + gap * firstZero, last.At);
        await Assert.ThrowsAsync<ProviderException>(() => clouds["aws"].CreateAsync(
            SimulatedFixture.Request(market: CapacityType.Spot), CancellationToken.None));
    }
}
