using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>Cloud gangs (ADR 0012): a job larger than every instance is one decision for N instances of one type.</summary>
public sealed class CloudGangPlacementTests
{
    public static TheoryData<string> BurstingStrategies =>
        new(PlacementStrategies.BurstOnDemand, PlacementStrategies.CheapestFirst, PlacementStrategies.Broker);

    private static readonly CloudOffer Eight = NewOffer("p5.48xlarge", model: "H100", gpus: 8, onDemand: 40m, spot: null);
    private static readonly CloudOffer DearEight = NewOffer("nd96", model: "H100", gpus: 8, onDemand: 45m, spot: null, provider: "azure", region: "eastus");
    private static readonly CloudOffer One = NewOffer("p5.4xlarge", model: "H100", gpus: 1, onDemand: 2m, spot: null);

    private static SnapshotBuilder Cloud(PendingJob job) =>
        new SnapshotBuilder().Offer(Eight).Offer(DearEight).Offer(One).Job(job);

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void A_16_gpu_job_is_one_decision_for_two_8_gpu_instances_priced_as_both(string strategy)
    {
        var plan = Cloud(NewJob("gang", gpus: 16, spot: false, models: ["H100"])).Place(strategy);

        var cloud = Decision<CloudDecision>(plan, "gang");
        Assert.Equal(("p5.48xlarge", 2, 16), (cloud.Offer.InstanceType, cloud.Offer.Members, cloud.Offer.GpusPerInstance));
        Assert.Equal(8, cloud.Offer.GpusPerMember);
        Assert.Equal(2 * Eight.OnDemandPricePerHour, cloud.PricePerHour);
        Assert.Contains("gang of 2 x aws/us-east-1/-/p5.48xlarge", cloud.Explanation.Chosen, StringComparison.Ordinal);
        // Priced as two instances: the expected cost is at least two instances for the whole run.
        Assert.True(cloud.ExpectedCost >= 2 * Eight.OnDemandPricePerHour * 2, $"expected cost {cloud.ExpectedCost}");
    }

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void A_job_one_instance_holds_is_never_a_gang(string strategy)
    {
        var plan = Cloud(NewJob("single", gpus: 8, spot: false, models: ["H100"])).Place(strategy);

        Assert.Equal((1, "p5.48xlarge"), (Decision<CloudDecision>(plan, "single").Offer.Members, Decision<CloudDecision>(plan, "single").Offer.InstanceType));
    }

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void The_team_cloud_gpu_cap_counts_every_member(string strategy)
    {
        var builder = Cloud(NewJob("capped", gpus: 16, spot: false, models: ["H100"]));
        builder.DefaultPolicy = builder.DefaultPolicy with { MaxCloudGpus = 8 };

        var wait = Decision<WaitDecision>(builder.Place(strategy), "capped");

        Assert.Contains(wait.Explanation.Rejected, r => r.Reason == RejectionReason.Policy);
    }

    [Fact]
    public void Gangs_take_equal_whole_instances_and_an_uneven_split_waits()
    {
        var three = Decision<CloudDecision>(new SnapshotBuilder().Offer(Eight).Job(NewJob("24", gpus: 24, spot: false, models: ["H100"]))
            .Place(PlacementStrategies.Broker), "24");
        var uneven = new SnapshotBuilder().Offer(Eight).Job(NewJob("12", gpus: 12, spot: false, models: ["H100"])).Place(PlacementStrategies.Broker);

        Assert.Equal((3, 3 * Eight.OnDemandPricePerHour), (three.Offer.Members, three.PricePerHour));
        Assert.IsType<WaitDecision>(Assert.Single(uneven.Decisions));
    }

    [Fact]
    public void A_spot_gang_is_expected_to_be_interrupted_as_often_as_all_its_members_together()
    {
        var spotEight = Eight with { SpotPricePerHour = 12m, SpotInterruptionsPerHour = 0.1 };
        var gang = spotEight.AsGang(2);

        Assert.Equal((24m, 0.2), (gang.SpotPricePerHour!.Value, gang.SpotInterruptionsPerHour));
        Assert.Equal((spotEight.Id, 16, 8), (gang.Id, gang.GpusPerInstance, gang.GpusPerMember));
    }
}
