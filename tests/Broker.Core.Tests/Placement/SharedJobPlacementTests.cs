using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>A shared job (ADR 0011) in the pass: charged its share on-prem, one small GPU in the cloud.</summary>
public sealed class SharedJobPlacementTests
{
    public static TheoryData<string> AllStrategies => new(PlacementStrategies.Names);

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void A_quarter_gpu_job_on_prem_is_charged_a_quarter_of_a_whole_gpu_job(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node(new OnPremNode("n1", "T4", 16, 4, 4, ShardsPerGpu: 4))
            .Job(NewJob("whole"))
            .Job(NewJob("quarter") with { GpuShare = 0.25m })
            .Place(strategy);

        var whole = Decision<OnPremDecision>(plan, "whole");
        var quarter = Decision<OnPremDecision>(plan, "quarter");
        Assert.Equal(("n1", 1), (quarter.Node, quarter.Gpus));
        Assert.Equal(whole.CostPerHour / 4, quarter.CostPerHour);
    }

    [Fact]
    public void Without_on_prem_a_shared_job_takes_the_cheapest_one_gpu_instance_that_fits()
    {
        var plan = new SnapshotBuilder()
            .Offer(NewOffer("eight", gpus: 8, onDemand: 8m, spot: null))
            .Offer(NewOffer("one", gpus: 1, onDemand: 1.5m, spot: null))
            .Offer(NewOffer("one-pricier", gpus: 1, onDemand: 2m, spot: null))
            .Job(NewJob("quarter", spot: false) with { GpuShare = 0.25m })
            .Place(PlacementStrategies.Broker);

        Assert.Equal("one", Decision<CloudDecision>(plan, "quarter").Offer.InstanceType);
    }
}
