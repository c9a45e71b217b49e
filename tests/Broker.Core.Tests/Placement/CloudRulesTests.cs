using Broker.Core.Capacity;
using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

public sealed class CloudRulesTests
{
    public static TheoryData<string> SpotCapableStrategies => new(PlacementStrategies.CheapestFirst, PlacementStrategies.Broker);

    public static TheoryData<string> BurstingStrategies =>
        new(PlacementStrategies.BurstOnDemand, PlacementStrategies.CheapestFirst, PlacementStrategies.Broker);

    private static SnapshotBuilder FullCluster() => new SnapshotBuilder().Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 24);

    [Theory]
    [MemberData(nameof(SpotCapableStrategies))]
    public void Spot_is_refused_for_a_job_that_does_not_tolerate_interruptions(string strategy)
    {
        var plan = FullCluster().Offer(NewOffer("t4", onDemand: 0.5m, spot: 0.05m)).Job(NewJob("j", spot: false)).Place(strategy);

        var cloud = Decision<CloudDecision>(plan, "j");
        Assert.Equal(CapacityType.OnDemand, cloud.Market);
        Assert.Contains(cloud.Explanation.Rejected, r => r.Reason == RejectionReason.Constraint && r.Detail.Contains("spot"));
    }

    [Theory]
    [MemberData(nameof(SpotCapableStrategies))]
    public void Spot_is_used_for_a_tolerant_job_when_it_is_cheapest(string strategy)
    {
        var plan = FullCluster().Offer(NewOffer("t4", onDemand: 0.5m, spot: 0.05m)).Job(NewJob("j", spot: true)).Place(strategy);

        Assert.Equal(CapacityType.Spot, Decision<CloudDecision>(plan, "j").Market);
    }

    [Fact]
    public void Burst_ondemand_never_uses_spot()
    {
        var plan = FullCluster().Offer(NewOffer("t4", onDemand: 0.5m, spot: 0.05m)).Job(NewJob("j", spot: true))
            .Place(PlacementStrategies.BurstOnDemand);

        Assert.Equal(CapacityType.OnDemand, Decision<CloudDecision>(plan, "j").Market);
    }

    [Theory]
    [InlineData(2.0, false)]
    [InlineData(12.0, true)]
    public void A_near_deadline_forces_on_demand_and_a_far_one_allows_spot(double deadlineHours, bool spotExpected)
    {
        var job = NewJob("j", hours: 1.5, spot: true, deadline: Now.AddHours(deadlineHours));
        var plan = FullCluster().Offer(NewOffer("t4", onDemand: 0.5m, spot: 0.05m)).Job(job).Place(PlacementStrategies.Broker);

        var cloud = Decision<CloudDecision>(plan, "j");
        Assert.Equal(spotExpected ? CapacityType.Spot : CapacityType.OnDemand, cloud.Market);
        Assert.Equal(!spotExpected, cloud.Explanation.Rejected.Any(r => r.Reason == RejectionReason.Deadline));
    }

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void An_exhausted_budget_means_wait_with_reason_budget(string strategy)
    {
        var plan = FullCluster().Budget("team-a", limit: 100m, spent: 100m).Offer(NewOffer("t4")).Job(NewJob("j", team: "team-a"))
            .Place(strategy);

        var wait = Decision<WaitDecision>(plan, "j");
        Assert.Equal(WaitReason.Budget, wait.Reason);
        Assert.Equal("budget", wait.Reason.Code());
    }

    [Theory]
    [InlineData("broker")]
    [InlineData("cheapest-first")]
    public void A_job_that_refuses_spot_waits_for_budget_not_policy_when_on_demand_is_over_budget(string strategy)
    {
        var plan = FullCluster().Budget("team-a", limit: 1m, spent: 0.5m).Offer(NewOffer("t4", onDemand: 1m, spot: 0.2m))
            .Job(NewJob("j", team: "team-a", spot: false)).Place(strategy);

        var wait = Decision<WaitDecision>(plan, "j");
        Assert.Equal(WaitReason.Budget, wait.Reason);
        Assert.Contains(wait.Explanation.Rejected, r => r.Reason == RejectionReason.Constraint);
    }

    [Fact]
    public void Budget_is_committed_within_a_pass_so_the_second_job_waits()
    {
        var plan = FullCluster().Budget("team-a", limit: 1.5m, spent: 0m)
            .Offer(NewOffer("t4", onDemand: 0.5m, spot: null))
            .Job(NewJob("first", hours: 2, submittedMinutesAgo: 60))
            .Job(NewJob("second", hours: 2, submittedMinutesAgo: 50))
            .Place(PlacementStrategies.BurstOnDemand);

        Assert.IsType<CloudDecision>(plan.Decisions.Single(d => d.JobId == "first"));
        Assert.Equal(WaitReason.Budget, Decision<WaitDecision>(plan, "second").Reason);
    }

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void The_price_cap_is_respected(string strategy)
    {
        var builder = FullCluster()
            .Offer(NewOffer("pricey", onDemand: 3m, spot: null))
            .Offer(NewOffer("fine", onDemand: 0.9m, spot: null, region: "us-west-2"))
            .Job(NewJob("j"));
        builder.DefaultPolicy = builder.DefaultPolicy with { MaxPricePerGpuHour = 1m };

        Assert.Equal("fine", Decision<CloudDecision>(builder.Place(strategy), "j").Offer.InstanceType);
    }

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void With_every_offer_above_the_cap_the_job_waits_with_reason_price(string strategy)
    {
        var builder = FullCluster().Offer(NewOffer("pricey", onDemand: 3m, spot: 2m)).Job(NewJob("j"));
        builder.DefaultPolicy = builder.DefaultPolicy with { MaxPricePerGpuHour = 1m };

        Assert.Equal(WaitReason.Price, Decision<WaitDecision>(builder.Place(strategy), "j").Reason);
    }

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void A_blocked_offer_is_skipped_with_its_reason(string strategy)
    {
        var blocked = NewOffer("cheapest", onDemand: 0.1m, spot: 0.01m) with { BlockedReason = "InsufficientInstanceCapacity" };
        var plan = FullCluster().Offer(blocked).Offer(NewOffer("next", onDemand: 0.5m, spot: 0.2m)).Job(NewJob("j")).Place(strategy);

        var cloud = Decision<CloudDecision>(plan, "j");
        Assert.Equal("next", cloud.Offer.InstanceType);
        Assert.Contains(cloud.Explanation.Rejected, r => r.Reason == RejectionReason.BlockedOffer && r.Detail == "InsufficientInstanceCapacity");
    }

    [Fact]
    public void Team_policy_limits_providers_and_can_forbid_bursting()
    {
        var builder = FullCluster()
            .Offer(NewOffer("aws-cheap", onDemand: 0.2m, spot: null, provider: "aws"))
            .Offer(NewOffer("gcp-dear", onDemand: 0.8m, spot: null, provider: "gcp"))
            .Job(NewJob("gcp-only", team: "team-gcp"))
            .Job(NewJob("stay-home", team: "team-home"));
        builder.Policy(builder.DefaultPolicy with { Team = "team-gcp", AllowedProviders = ["gcp"] })
            .Policy(builder.DefaultPolicy with { Team = "team-home", AllowBurst = false });

        var plan = builder.Place(PlacementStrategies.Broker);

        Assert.Equal("gcp-dear", Decision<CloudDecision>(plan, "gcp-only").Offer.InstanceType);
        Assert.Equal(WaitReason.Policy, Decision<WaitDecision>(plan, "stay-home").Reason);
    }

    [Fact]
    public void Broker_waits_for_onprem_expected_within_the_max_wait_and_bursts_beyond_it()
    {
        var soon = new SnapshotBuilder().Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 0.25)
            .Offer(NewOffer("t4")).Job(NewJob("j")).Place(PlacementStrategies.Broker);
        var late = new SnapshotBuilder().Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 2)
            .Offer(NewOffer("t4")).Job(NewJob("j")).Place(PlacementStrategies.Broker);

        var wait = Decision<WaitDecision>(soon, "j");
        Assert.Equal(WaitReason.OnPremSoon, wait.Reason);
        Assert.Equal(Now.AddMinutes(15), wait.EstimatedOnPremStart);
        Assert.Contains(wait.Explanation.Rejected, r => r.Reason == RejectionReason.OnPremSoon);
        Assert.IsType<CloudDecision>(late.Decisions.Single());
    }

    [Fact]
    public void Broker_counts_time_already_waited_against_the_max_wait()
    {
        var plan = new SnapshotBuilder().Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 0.25)
            .Offer(NewOffer("t4")).Job(NewJob("j", submittedMinutesAgo: 20)).Place(PlacementStrategies.Broker);

        Assert.IsType<CloudDecision>(plan.Decisions.Single());
    }

    [Fact]
    public void Broker_prefers_a_slightly_dearer_spot_offer_with_far_fewer_interruptions()
    {
        var plan = FullCluster()
            .Offer(NewOffer("flaky", onDemand: 1m, spot: 0.10m, interruptionsPerHour: 2.0))
            .Offer(NewOffer("steady", onDemand: 1m, spot: 0.12m, region: "us-west-2", interruptionsPerHour: 0.01))
            .Job(NewJob("j", hours: 8))
            .Place(PlacementStrategies.Broker);
        var cheapest = FullCluster()
            .Offer(NewOffer("flaky", onDemand: 1m, spot: 0.10m, interruptionsPerHour: 2.0))
            .Offer(NewOffer("steady", onDemand: 1m, spot: 0.12m, region: "us-west-2", interruptionsPerHour: 0.01))
            .Job(NewJob("j", hours: 8))
            .Place(PlacementStrategies.CheapestFirst);

        Assert.Equal("steady", Decision<CloudDecision>(plan, "j").Offer.InstanceType);
        Assert.Equal("flaky", Decision<CloudDecision>(cheapest, "j").Offer.InstanceType);
    }
}
