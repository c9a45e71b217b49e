using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

public sealed class OnPremRulesTests
{
    public static TheoryData<string> AllStrategies => new(PlacementStrategies.Names);

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Idle_onprem_wins_over_a_cheaper_cloud_offer(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 4, idle: 2)
            .Offer(NewOffer("cheap", onDemand: 0.01m, spot: 0.001m))
            .Job(NewJob("j1"))
            .Place(strategy);

        var decision = Decision<OnPremDecision>(plan, "j1");
        Assert.Equal("n1", decision.Node);
        Assert.Equal(0.6m, decision.CostPerHour);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Job_that_fits_nowhere_waits_with_a_capacity_reason(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 8, idle: 8, model: "T4")
            .Offer(NewOffer("t4", model: "T4"))
            .Job(NewJob("h100-job", models: ["H100-80GB"]))
            .Place(strategy);

        var wait = Decision<WaitDecision>(plan, "h100-job");
        Assert.Equal(WaitReason.Capacity, wait.Reason);
        Assert.Null(wait.EstimatedOnPremStart);
        Assert.Contains(wait.Explanation.Rejected, r => r.Reason == RejectionReason.Capacity);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Gang_never_splits_across_nodes_or_instances(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 4, idle: 2).Running("n1", 2, hoursLeft: 1)
            .Node("n2", total: 4, idle: 2).Running("n2", 2, hoursLeft: 1)
            .Offer(NewOffer("one-gpu", gpus: 1, onDemand: 0.5m, spot: 0.1m))
            .Offer(NewOffer("four-gpu", gpus: 4, onDemand: 4m, spot: 1.5m))
            .Job(NewJob("gang", gpus: 4, hours: 5))
            .Place(strategy);

        var decision = plan.Decisions.Single();
        Assert.IsNotType<OnPremDecision>(decision);
        if (decision is CloudDecision cloud)
        {
            Assert.Equal("four-gpu", cloud.Offer.InstanceType);
        }
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Best_fit_keeps_a_whole_node_free_for_an_eight_gpu_job(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node("a-whole", total: 8, idle: 8)
            .Node("b-partial", total: 8, idle: 3).Running("b-partial", 5, hoursLeft: 3)
            .Job(NewJob("small", gpus: 1, submittedMinutesAgo: 10))
            .Job(NewJob("big", gpus: 8, submittedMinutesAgo: 5))
            .Place(strategy);

        Assert.Equal("b-partial", Decision<OnPremDecision>(plan, "small").Node);
        Assert.Equal("a-whole", Decision<OnPremDecision>(plan, "big").Node);
    }

    [Fact]
    public void Onprem_only_backfills_a_short_job_but_not_a_long_one_in_front_of_a_queued_gang()
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 4, idle: 2).Running("n1", 2, hoursLeft: 1)
            .Job(NewJob("gang", gpus: 4, hours: 2, submittedMinutesAgo: 30))
            .Job(NewJob("long", gpus: 1, hours: 3, submittedMinutesAgo: 20))
            .Job(NewJob("short", gpus: 1, hours: 0.5, submittedMinutesAgo: 10))
            .Place(PlacementStrategies.OnPremOnly);

        var gang = Decision<WaitDecision>(plan, "gang");
        Assert.Equal(Now.AddHours(1), gang.EstimatedOnPremStart);
        Assert.IsType<WaitDecision>(plan.Decisions.Single(d => d.JobId == "long"));
        Assert.Equal("n1", Decision<OnPremDecision>(plan, "short").Node);
    }

    [Fact]
    public void Wait_estimate_counts_the_queue_ahead_and_running_jobs_expected_ends()
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 1)
            .Job(NewJob("first", hours: 2, submittedMinutesAgo: 20))
            .Job(NewJob("second", hours: 1, submittedMinutesAgo: 10))
            .Place(PlacementStrategies.OnPremOnly);

        Assert.Equal(Now.AddHours(1), Decision<WaitDecision>(plan, "first").EstimatedOnPremStart);
        Assert.Equal(Now.AddHours(3), Decision<WaitDecision>(plan, "second").EstimatedOnPremStart);
    }

    [Fact]
    public void Drained_nodes_are_never_used()
    {
        var snapshot = new SnapshotBuilder().Job(NewJob("j1")).Build() with
        {
            Nodes = [new OnPremNode("drained", "T4", 16, 8, 8, Schedulable: false)],
        };

        var plan = PlacementStrategies.Get(PlacementStrategies.OnPremOnly).Place(snapshot);

        Assert.IsType<WaitDecision>(plan.Decisions.Single());
    }
}
