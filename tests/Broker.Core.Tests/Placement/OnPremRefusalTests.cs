using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>A job refused on-prem (its team has no on-prem user) never gets an on-prem option, and every strategy says why.</summary>
public sealed class OnPremRefusalTests
{
    private const string Refusal = "team ghosts has no on-prem user mapping";

    public static TheoryData<string> AllStrategies => new(PlacementStrategies.Names);

    private static PendingJob Refused(string id, string[]? models = null) =>
        NewJob(id, team: "ghosts", models: models) with { OnPremRefusal = Refusal };

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Idle_onprem_gpus_are_not_offered_and_the_explanation_names_the_missing_mapping(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 8, idle: 8)
            .Offer(NewOffer("t4"))
            .Job(Refused("refused"))
            .Job(NewJob("mapped"))
            .Place(strategy);

        var refused = plan.Decisions.Single(d => d.JobId == "refused");
        Assert.IsNotType<OnPremDecision>(refused);
        Assert.Contains(refused.Explanation.Rejected, r => r.Option == "on-prem" && r.Reason == RejectionReason.Policy && r.Detail == Refusal);
        Assert.Equal("n1", Decision<OnPremDecision>(plan, "mapped").Node);
    }

    [Theory]
    [InlineData(PlacementStrategies.Broker)]
    [InlineData(PlacementStrategies.CheapestFirst)]
    [InlineData(PlacementStrategies.BurstOnDemand)]
    public void Bursting_strategies_still_send_the_job_to_the_cloud_and_say_why_not_onprem(string strategy)
    {
        var plan = new SnapshotBuilder().Node("n1", total: 8, idle: 8).Offer(NewOffer("t4")).Job(Refused("refused")).Place(strategy);

        var cloud = Decision<CloudDecision>(plan, "refused");
        Assert.Contains(Refusal, cloud.Explanation.Chosen, StringComparison.Ordinal);
    }

    [Fact]
    public void Onprem_only_waits_for_a_policy_reason_that_time_alone_does_not_change()
    {
        var plan = new SnapshotBuilder().Node("n1", total: 8, idle: 8).Job(Refused("refused")).Place(PlacementStrategies.OnPremOnly);

        var wait = Decision<WaitDecision>(plan, "refused");
        Assert.Equal((WaitReason.Policy, DateTimeOffset.MaxValue, (DateTimeOffset?)null), (wait.Reason, wait.RetryAt, wait.EstimatedOnPremStart));
        Assert.Equal($"wait (policy): {Refusal}", wait.Explanation.Chosen);
    }

    [Fact]
    public void A_refused_job_holds_no_place_in_the_onprem_queue()
    {
        var plan = new SnapshotBuilder()
            .Node("n1", total: 4, idle: 0).Running("n1", 4, hoursLeft: 1)
            .Job(Refused("refused-first"))
            .Job(NewJob("mapped-second", gpus: 4, submittedMinutesAgo: 0))
            .Place(PlacementStrategies.OnPremOnly);

        var mapped = Decision<WaitDecision>(plan, "mapped-second");
        Assert.Equal(Now.AddHours(1), mapped.EstimatedOnPremStart);
    }
}
