using Broker.Core.Capacity;
using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>Repeated interruptions and failed spot launches move a job to another zone, region, provider, then off spot.</summary>
public sealed class SpotEscalationTests
{
    private const string ZoneA = "us-east-1a";
    private const string ZoneB = "us-east-1b";

    private static SpotStrike Interrupted(string zone, string region = "us-east-1", string provider = "aws") =>
        new(provider, region, zone, SpotStrikeKind.Interrupted);

    private static SpotStrike Refused(string zone, string region = "us-east-1", string provider = "aws") =>
        new(provider, region, zone, SpotStrikeKind.FailedLaunch);

    /// <summary>Spot is cheapest in us-east-1a, then us-east-1b, then us-west-2a, then gcp; on-demand costs far more.</summary>
    private static CloudDecision Place(string strategy, SpotStrike[] strikes, int? escalateAfter = null)
    {
        var builder = new SnapshotBuilder().Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 24)
            .Offer(NewOffer("g4-a", onDemand: 2m, spot: 0.20m, zone: ZoneA))
            .Offer(NewOffer("g4-b", onDemand: 2m, spot: 0.21m, zone: ZoneB))
            .Offer(NewOffer("g4-w", onDemand: 2m, spot: 0.22m, region: "us-west-2", zone: "us-west-2a"))
            .Offer(NewOffer("g2", onDemand: 2m, spot: 0.23m, provider: "gcp", region: "us-central1"))
            .Job(NewJob("j", checkpointMinutes: 10) with
            {
                SpotStrikes = strikes, Interruptions = strikes.Count(s => s.Kind == SpotStrikeKind.Interrupted),
            });
        if (escalateAfter is { } n)
        {
            builder.DefaultPolicy = builder.DefaultPolicy with { SpotEscalateAfter = n };
        }
        return Decision<CloudDecision>(builder.Place(strategy), "j");
    }

    public static TheoryData<string, SpotStrike[], int?, string, CapacityType, string?> Ladder => new()
    {
        // step, strikes so far, escalate after (null: policy default 2), expected instance, market, words in the explanation
        { "no setbacks: the cheapest spot", [], null, "g4-a", CapacityType.Spot, null },
        { "one interruption: below the threshold, same zone", [Interrupted(ZoneA)], null, "g4-a", CapacityType.Spot, null },
        { "two in one zone: another zone", [Interrupted(ZoneA), Refused(ZoneA)], null, "g4-b", CapacityType.Spot, "moved off aws/us-east-1/us-east-1a" },
        { "threshold 1: moves after the first", [Refused(ZoneA)], 1, "g4-b", CapacityType.Spot, "moved off aws/us-east-1/us-east-1a" },
        { "two zones of a region: another region", [Refused(ZoneA), Refused(ZoneA), Refused(ZoneB), Refused(ZoneB)], null, "g4-w",
            CapacityType.Spot, "moved off aws/us-east-1:" },
        { "three times the threshold in a provider: another provider",
            [Refused(ZoneA), Refused(ZoneA), Refused(ZoneB), Refused(ZoneB), Refused("us-west-2a", "us-west-2"), Refused("us-west-2a", "us-west-2")],
            null, "g2", CapacityType.Spot, "moved off aws:" },
        { "the preemption bound: no more spot", [Interrupted(ZoneA), Interrupted(ZoneB), Interrupted("us-west-2a", "us-west-2")], null, "g4-a",
            CapacityType.OnDemand, "preempted 3 times" },
        { "every spot market moved off: on-demand",
            [Refused(ZoneA), Refused(ZoneA), Refused(ZoneB), Refused(ZoneB), Refused("us-west-2a", "us-west-2"), Refused("us-west-2a", "us-west-2"),
                Refused("x", "us-central1", "gcp"), Refused("x", "us-central1", "gcp")],
            null, "g4-a", CapacityType.OnDemand, "moved off aws:" },
        { "a market-wide drop refused it eight times, but one market is untried: spot there",
            [Interrupted(ZoneA), Refused(ZoneA), Refused(ZoneB), Refused(ZoneB), Refused("z", "eu-west-1"), Refused("x", "europe-west4", "gcp"),
                Refused("y", "europe-west4", "gcp"), Refused("q", "asia-east1", "gcp")],
            null, "g4-w", CapacityType.Spot, "moved off aws/us-east-1:" },
    };

    [Theory]
    [MemberData(nameof(Ladder))]
    public void Each_step_of_the_escalation_ladder_moves_the_next_decision_and_says_why(string step, SpotStrike[] strikes,
        int? escalateAfter, string instance, CapacityType market, string? words)
    {
        var cloud = Place(PlacementStrategies.Broker, strikes, escalateAfter);

        Assert.True(instance == cloud.Offer.InstanceType && market == cloud.Market, $"{step}: got {cloud.Offer.Id} {cloud.Market}");
        if (words is not null)
        {
            Assert.Contains(cloud.Explanation.Rejected, r => r.Reason == RejectionReason.Interruptions && r.Detail.Contains(words));
            Assert.Contains("spot escalation:", cloud.Explanation.Chosen, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cheapest_first_keeps_retrying_the_same_market_as_the_tools_it_models_do()
    {
        var cloud = Place(PlacementStrategies.CheapestFirst, [Interrupted(ZoneA), Interrupted(ZoneA), Interrupted(ZoneA)]);

        Assert.Equal(("g4-a", CapacityType.Spot), (cloud.Offer.InstanceType, cloud.Market));
    }

    [Fact]
    public void A_job_with_no_spot_left_and_no_on_demand_waits_for_on_prem_saying_why()
    {
        var builder = new SnapshotBuilder().Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 24)
            .Offer(NewOffer("g4-a", onDemand: 2m, spot: 0.20m, zone: ZoneA))
            .Job(NewJob("j") with { Interruptions = 3, SpotStrikes = [Interrupted(ZoneA), Interrupted(ZoneA), Interrupted(ZoneA)] });
        builder.DefaultPolicy = builder.DefaultPolicy with { AllowOnDemand = false };

        var wait = Decision<WaitDecision>(builder.Place(PlacementStrategies.Broker), "j");

        Assert.Equal(WaitReason.Policy, wait.Reason);
        Assert.Contains(wait.Explanation.Rejected, r => r.Reason == RejectionReason.Interruptions && r.Detail.Contains("preempted 3 times"));
    }
}
