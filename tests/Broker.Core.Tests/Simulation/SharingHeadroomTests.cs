using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;
using static Broker.Core.Tests.Simulation.SyntheticReplay;

namespace Broker.Core.Tests.Simulation;

/// <summary>
/// Where a whole-GPU run's cloud spend goes and what sharing could reach of it (issue 14), on real replays: fractional jobs
/// fill one L4 node as whole GPUs, a later L4 job waits 30 minutes and bursts, and a V100-only job has no on-prem node at all.
/// </summary>
public sealed class SharingHeadroomTests
{
    /// <summary>
    /// <paramref name="onPremShares"/>: the fractional jobs that take the node's GPUs at 0 (each a whole GPU in the whole run);
    /// <paramref name="lateShare"/>: the later job's share (0 for one whole GPU); reachable when packing the node's fractional
    /// jobs perfectly would have left it room.
    /// </summary>
    [Theory]
    [InlineData(1, "0.25", 0, false)]      // one GPU holds a quarter: perfect packing still needs that GPU
    [InlineData(2, "0.25,0.25", 0, true)]  // two quarters on two GPUs fit on one: a whole GPU frees
    [InlineData(2, "0.75,0.5", 0, false)]  // 1.25 GPUs of shares need both GPUs
    [InlineData(1, "0.25", 0.5, true)]     // three quarters of the GPU are free for a half share
    [InlineData(1, "0.75", 0.5, false)]    // a quarter is free: no room for a half
    public void A_burst_is_reachable_only_when_perfectly_packed_shares_leave_room(int gpus, string onPremShares, double lateShare,
        bool reachable)
    {
        var scenario = Scenario([new NodeGroup("n", 1, gpus, "L4", 24, ShardsPerGpu: 4)],
            [Offer("us-east-1a", "g6.xlarge", "L4", 1, 1m), Offer("us-east-1a", "p3.2xlarge", "V100-16GB", 1, 3m)]);
        var shares = onPremShares.Split(",").Select(s => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        TraceJob[] jobs =
        [
            .. shares.Select((s, i) => Job($"on-prem-{i}", 0, 36000, share: s, models: "L4")),
            Job("late", 60, 36000, share: lateShare > 0 ? (decimal)lateShare : null, models: "L4"),
            Job("v100", 0, 3600, models: "V100-16GB"),
        ];
        var whole = Run(scenario, [.. jobs.Select(j => j with { GpuShare = null })], PlacementStrategies.Broker);
        decimal CloudCost(string job) => whole.Segments.Where(s => s.JobId == job && s.Location == "cloud").Sum(s => s.Cost);
        Assert.True(CloudCost("late") > 0 && CloudCost("v100") > 0, "the late job bursts and the V100 job runs in the cloud");

        var headroom = SharingHeadroom.Of(scenario.Scenario.OnPrem, jobs, whole);

        Assert.Equal(CloudCost("v100"), headroom.Floor);
        Assert.Equal(CloudCost("late"), headroom.Reachable);
        Assert.Equal(reachable ? CloudCost("late") : 0m, headroom.RoomIfPacked);
        // Each fractional job held a whole GPU for 10 h on-prem: sharing frees what lies beyond its share.
        Assert.Equal(shares.Sum(s => (double)(1 - s)) * 10, headroom.RoundingWasteGpuHours, 3);
    }

    [Fact]
    public void A_run_holding_shares_is_refused()
    {
        var scenario = Scenario([new NodeGroup("n", 1, 1, "L4", 24, ShardsPerGpu: 4)]);
        var jobs = new[] { Job("q", 0, 600, share: 0.25m) };

        Assert.Throws<ArgumentException>(() => SharingHeadroom.Of(scenario.Scenario.OnPrem, jobs, Run(scenario, jobs, PlacementStrategies.Broker)));
    }

    [Fact]
    public void Cloud_spend_is_classed_by_shape_models_market_and_the_engines_reason()
    {
        var scenario = Scenario([new NodeGroup("n", 1, 1, "L4", 24, ShardsPerGpu: 4)],
            [Offer("us-east-1a", "g6.xlarge", "L4", 1, 1m), Offer("us-east-1a", "p3.2xlarge", "V100-16GB", 1, 3m)]);
        TraceJob[] jobs = [Job("on-prem", 0, 36000, share: 0.25m, models: "L4"), Job("late", 60, 36000, share: 0.5m, models: "L4"),
            Job("v100", 0, 3600, models: "V100-16GB")];
        var whole = Run(scenario, [.. jobs.Select(j => j with { GpuShare = null })], PlacementStrategies.Broker);

        var classes = CloudSpendClasses.Of(scenario.Scenario, jobs, whole);

        Assert.Equal(2, classes.Count);
        var late = classes[new SpendClass(CloudSpendClasses.Fractional, CloudSpendClasses.OnPremAndCloud, "ondemand", CloudSpendClasses.WaitLimit)];
        var v100 = classes[new SpendClass(CloudSpendClasses.Whole, CloudSpendClasses.CloudOnly, "ondemand", CloudSpendClasses.NoOnPremOption)];
        Assert.Equal((1, whole.Segments.Where(s => s.JobId == "late" && s.Location == "cloud").Sum(s => s.Cost)), (late.Jobs, late.Spend));
        Assert.Equal((1, whole.Segments.Where(s => s.JobId == "v100" && s.Location == "cloud").Sum(s => s.Cost)), (v100.Jobs, v100.Spend));
        Assert.Equal(whole.Segments.Where(s => s.Location == "cloud").Sum(s => s.Cost), classes.Values.Sum(c => c.Spend));
    }

    [Theory]
    [InlineData("cloud aws g6.xlarge on-demand, expected $3: max wait and slowdown: a wait of 2h exceeds the 30m max wait; least expected cost", CloudSpendClasses.WaitLimit)]
    [InlineData("cloud aws g6.xlarge on-demand, expected $3: on-prem (start in 2h) would miss the deadline; least expected cost", CloudSpendClasses.Deadline)]
    [InlineData("cloud x, expected $3: price of waiting: a wait of 2h exceeds the 30m max wait, and 2h of waiting is worth $9; least expected cost", CloudSpendClasses.WaitPrice)]
    [InlineData("cloud x, expected $3: no on-prem node fits; least expected cost", CloudSpendClasses.NoOnPremOption)]
    public void The_reason_is_read_from_the_engines_words(string why, string expected) =>
        Assert.Equal(expected, CloudSpendClasses.ReasonOf(why));
}
