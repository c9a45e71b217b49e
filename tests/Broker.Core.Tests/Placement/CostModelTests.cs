using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

public sealed class CostModelTests
{
    [Fact]
    public void On_demand_cost_is_price_times_work_plus_boot()
    {
        Assert.Equal(2.2m, CostModel.OnDemand(2m, TimeSpan.FromHours(1), TimeSpan.FromMinutes(6)));
    }

    [Theory]
    [InlineData(null, 0.5)]
    [InlineData(30.0, 0.125)]
    public void Spot_cost_adds_interruption_probability_times_rework(double? checkpointMinutes, double rework)
    {
        var work = TimeSpan.FromHours(4);
        var checkpoint = checkpointMinutes is { } m ? TimeSpan.FromMinutes(m) : (TimeSpan?)null;
        var expected = 1.0 * 4 * (1 + (1 - Math.Exp(-0.1 * 4)) * rework);

        var cost = CostModel.SpotExpected(1m, 0.1, work, TimeSpan.Zero, checkpoint, 0.5);

        Assert.Equal(expected, (double)cost, precision: 9);
        Assert.Equal(rework, CostModel.ReworkFraction(work, checkpoint, 0.5), precision: 9);
    }

    [Fact]
    public void Uniform_progress_says_behind_when_saved_work_lags_elapsed_time()
    {
        var job = NewJob("j", hours: 2, submittedMinutesAgo: 60, deadline: Now.AddHours(1)) with { SavedProgress = TimeSpan.FromMinutes(30) };

        Assert.True(UniformProgress.IsBehind(job, Now));
        Assert.False(UniformProgress.IsBehind(job with { SavedProgress = TimeSpan.FromMinutes(90) }, Now));
        Assert.False(UniformProgress.IsBehind(job with { Deadline = null }, Now));
    }

    [Fact]
    public void Broker_idles_for_blocked_spot_while_ahead_of_uniform_progress_and_pays_on_demand_once_behind()
    {
        var blockedSpot = NewOffer("t4", onDemand: 0.5m, spot: 0.05m) with { SpotBlockedReason = "interrupted" };
        var ahead = NewJob("j", hours: 1, submittedMinutesAgo: 60, spot: true, deadline: Now.AddHours(10))
            with { SavedProgress = TimeSpan.FromMinutes(30), Interruptions = 1 };
        var behind = ahead with { SubmittedAt = Now.AddHours(-8), Deadline = Now.AddHours(3) };

        var aheadPlan = new SnapshotBuilder().Offer(blockedSpot).Job(ahead).Place(PlacementStrategies.Broker);
        var behindPlan = new SnapshotBuilder().Offer(blockedSpot).Job(behind).Place(PlacementStrategies.Broker);

        Assert.Equal(WaitReason.BlockedOffer, Decision<WaitDecision>(aheadPlan, "j").Reason);
        Assert.Equal(Broker.Core.Capacity.CapacityType.OnDemand, Decision<CloudDecision>(behindPlan, "j").Market);
    }
}
