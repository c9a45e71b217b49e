using Broker.Core.Capacity;
using Broker.Providers.Simulated;

namespace Broker.Providers.Tests.Simulated;

public sealed class SimulatedSpotInterruptionTests
{
    [Fact]
    public async Task A_high_interruption_rate_interrupts_spot_before_the_job_ends_and_the_instance_is_gone()
    {
        var options = new SimulatedCloudOptions { ProvisioningDelay = TimeSpan.Zero, SpotInterruptionsPerHour = 50 };
        using var f = new SimulatedFixture(options: options);
        var request = SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromHours(10));
        var created = await f.Create(request);

        f.Clock.Advance(TimeSpan.FromHours(10));

        var last = f.Events.For(request.AllocationId)[^1];
        Assert.Equal(SimulatedEventKind.Interrupted, last.Kind);
        Assert.True(last.At < SimulatedFixture.Start.AddHours(10));
        Assert.Null(await f.Find(created.InstanceId));
    }

    [Fact]
    public async Task On_demand_instances_and_a_zero_rate_are_never_interrupted()
    {
        var options = new SimulatedCloudOptions { ProvisioningDelay = TimeSpan.Zero, SpotInterruptionsPerHour = 0 };
        using var f = new SimulatedFixture(options: options);
        var spot = SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromHours(5));
        var onDemand = SimulatedFixture.Request(type: "p5.48xlarge", runFor: TimeSpan.FromHours(5));
        await f.Create(spot);
        await f.Create(onDemand);

        f.Clock.Advance(TimeSpan.FromHours(6));

        Assert.DoesNotContain(f.Events.Since(0), e => e.Kind == SimulatedEventKind.Interrupted);
        Assert.Equal(2, f.Events.Since(0).Count(e => e.Kind == SimulatedEventKind.Finished));
    }

    [Fact]
    public async Task The_same_seed_draws_the_same_interruptions()
    {
        static async Task<IReadOnlyList<DateTimeOffset>> Run(int seed)
        {
            var options = new SimulatedCloudOptions { ProvisioningDelay = TimeSpan.Zero, SpotInterruptionsPerHour = 0.5, CapacityPerOffer = 20 };
            using var f = new SimulatedFixture(options: options, seed: seed);
            for (var i = 0; i < 10; i++)
            {
                await f.Create(SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromHours(4),
                    allocation: new Guid(i, 0, 0, new byte[8])));
            }
            f.Clock.Advance(TimeSpan.FromHours(5));
            return f.Events.Since(0).Where(e => e.Kind == SimulatedEventKind.Interrupted).Select(e => e.At).ToList();
        }

        var first = await Run(11);

        Assert.NotEmpty(first);
        Assert.Equal(first, await Run(11));
        Assert.NotEqual(first, await Run(12));
    }

    [Fact]
    public async Task Without_a_configured_rate_each_offers_catalog_estimate_is_used()
    {
        var options = new SimulatedCloudOptions { ProvisioningDelay = TimeSpan.Zero };
        var catalog = SimulatedFixture.Catalog.Select(o => o.InstanceType switch
        {
            "p3.2xlarge" => o with { SpotInterruptionPerHour = 50 },
            _ => o with { SpotInterruptionPerHour = 0 },
        });
        using var f = new SimulatedFixture(options: options, catalog: catalog);
        var risky = SimulatedFixture.Request(market: CapacityType.Spot, runFor: TimeSpan.FromHours(2));
        var safe = SimulatedFixture.Request(type: "p5.48xlarge", market: CapacityType.Spot, runFor: TimeSpan.FromHours(2));
        await f.Create(risky);
        await f.Create(safe);

        f.Clock.Advance(TimeSpan.FromHours(3));

        Assert.Equal(SimulatedEventKind.Interrupted, f.Events.For(risky.AllocationId)[^1].Kind);
        Assert.Equal(SimulatedEventKind.Finished, f.Events.For(safe.AllocationId)[^1].Kind);
    }
}
