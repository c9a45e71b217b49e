using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

public sealed class FairnessAndDeterminismTests
{
    [Fact]
    public void Fair_share_gives_a_starved_team_the_next_free_gpu()
    {
        var builder = new SnapshotBuilder()
            .Node("n1", total: 2, idle: 1).Running("n1", 1, hoursLeft: 5, team: "team-a")
            .Share("team-a", weight: 1, gpusInUse: 8)
            .Share("team-b", weight: 1, gpusInUse: 0)
            .Job(NewJob("a-early", team: "team-a", submittedMinutesAgo: 60))
            .Job(NewJob("b-late", team: "team-b", submittedMinutesAgo: 1));

        var broker = builder.Place(PlacementStrategies.Broker);
        var fifo = builder.Place(PlacementStrategies.OnPremOnly);

        Assert.Equal("n1", Decision<OnPremDecision>(broker, "b-late").Node);
        Assert.Contains(broker.Decisions.Single(d => d.JobId == "a-early").Explanation.Rejected,
            r => r.Reason == RejectionReason.Fairness);
        Assert.Equal("n1", Decision<OnPremDecision>(fifo, "a-early").Node);
    }

    [Fact]
    public void Fair_share_weights_scale_what_counts_as_a_fair_amount()
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 2, idle: 1).Running("n1", 1, hoursLeft: 5)
            .Share("big", weight: 4, gpusInUse: 8)
            .Share("small", weight: 1, gpusInUse: 4)
            .Job(NewJob("small-job", team: "small", submittedMinutesAgo: 60))
            .Job(NewJob("big-job", team: "big", submittedMinutesAgo: 1))
            .Place(PlacementStrategies.Broker);

        Assert.IsType<OnPremDecision>(plan.Decisions.Single(d => d.JobId == "big-job"));
    }

    [Fact]
    public void Within_a_team_higher_priority_goes_first()
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 2, idle: 1).Running("n1", 1, hoursLeft: 5)
            .Job(NewJob("batch", priority: 0, submittedMinutesAgo: 60))
            .Job(NewJob("urgent", priority: 2, submittedMinutesAgo: 1))
            .Place(PlacementStrategies.Broker);

        Assert.IsType<OnPremDecision>(plan.Decisions.Single(d => d.JobId == "urgent"));
        Assert.Equal("urgent", plan.Decisions[0].JobId);
    }

    [Theory]
    [InlineData(PlacementStrategies.OnPremOnly)]
    [InlineData(PlacementStrategies.BurstOnDemand)]
    [InlineData(PlacementStrategies.CheapestFirst)]
    [InlineData(PlacementStrategies.Broker)]
    public void Ties_break_the_same_way_whatever_the_input_order(string strategy)
    {
        var nodes = new[] { new OnPremNode("n-b", "T4", 16, 4, 1), new OnPremNode("n-a", "T4", 16, 4, 1) };
        var offers = new[]
        {
            NewOffer("t4", region: "us-west-2", onDemand: 0.5m, spot: 0.2m),
            NewOffer("t4", region: "us-east-1", onDemand: 0.5m, spot: 0.2m),
        };
        var jobs = new[] { NewJob("j2"), NewJob("j1"), NewJob("j3") };
        var forward = new SnapshotBuilder().Build() with { Nodes = nodes, Offers = offers, PendingJobs = jobs };
        var backward = forward with { Nodes = nodes.Reverse().ToArray(), Offers = offers.Reverse().ToArray(), PendingJobs = jobs.Reverse().ToArray() };

        var first = Render(PlacementStrategies.Get(strategy).Place(forward));
        var second = Render(PlacementStrategies.Get(strategy).Place(backward));

        Assert.Equal(first, second);
        Assert.Contains("j1 on-prem n-a", first);
        if (strategy != PlacementStrategies.OnPremOnly && strategy != PlacementStrategies.Broker)
        {
            Assert.Contains("j3 cloud aws/us-east-1/-/t4", first);
        }
    }

    [Theory]
    [InlineData(PlacementStrategies.OnPremOnly)]
    [InlineData(PlacementStrategies.BurstOnDemand)]
    [InlineData(PlacementStrategies.CheapestFirst)]
    [InlineData(PlacementStrategies.Broker)]
    public void Every_decision_has_an_explanation(string strategy)
    {
        var snapshot = SyntheticSnapshots.Create(seed: 42, jobs: 300, nodes: 20, offers: 40);

        var plan = PlacementStrategies.Get(strategy).Place(snapshot);

        Assert.Equal(snapshot.PendingJobs.Select(j => j.JobId).Order(), plan.Decisions.Select(d => d.JobId).Order());
        Assert.All(plan.Decisions, d => Assert.False(string.IsNullOrWhiteSpace(d.Explanation.Chosen)));
        Assert.All(plan.Decisions.Where(d => d is not OnPremDecision), d => Assert.NotEmpty(d.Explanation.Rejected));
        Assert.Contains(plan.Decisions, d => d is OnPremDecision);
    }

    [Fact]
    public void The_same_snapshot_gives_the_same_plan()
    {
        var snapshot = SyntheticSnapshots.Create(seed: 7, jobs: 500, nodes: 30, offers: 60);

        Assert.Equal(Render(PlacementStrategies.Get(PlacementStrategies.Broker).Place(snapshot)),
            Render(PlacementStrategies.Get(PlacementStrategies.Broker).Place(snapshot)));
    }

    [Fact]
    public void Strategies_resolve_by_name_and_unknown_names_are_refused_with_the_list()
    {
        Assert.Equal(PlacementStrategies.Names, PlacementStrategies.Names.Select(n => PlacementStrategies.Get(n).Name));
        var error = Assert.Throws<ArgumentException>(() => PlacementStrategies.Get("round-robin"));
        Assert.Contains("cheapest-first", error.Message);
    }

    internal static string Render(PlacementPlan plan) => string.Join("\n", plan.Decisions.Select(d => d switch
    {
        OnPremDecision o => $"{o.JobId} on-prem {o.Node} | {o.Explanation}",
        CloudDecision c => $"{c.JobId} cloud {c.Offer.Id} {c.Market} | {c.Explanation}",
        WaitDecision w => $"{w.JobId} wait {w.Reason} {w.RetryAt:O} | {w.Explanation}",
        _ => d.ToString(),
    }));
}
