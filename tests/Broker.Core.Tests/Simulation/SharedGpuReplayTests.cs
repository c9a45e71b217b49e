using Broker.Core.Placement;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;
using static Broker.Core.Tests.Simulation.SyntheticReplay;

namespace Broker.Core.Tests.Simulation;

/// <summary>Shares of one GPU in the replay (ADR 0011): packed as the live engine packs them, billed and counted as shares.</summary>
public sealed class SharedGpuReplayTests
{
    private static readonly NodeGroup OneT4 = new("t4", 1, 1, "T4", 16, ShardsPerGpu: 4);

    [Fact]
    public void Quarter_shares_fill_one_gpu_before_opening_the_next()
    {
        var scenario = Scenario([new NodeGroup("t4", 1, 2, "T4", 16, ShardsPerGpu: 4)]);
        var jobs = Enumerable.Range(0, 5).Select(i => Job($"q{i}", 0, 3600, share: 0.25m)).ToArray();

        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);

        Assert.All(result.Segments, s => Assert.Equal((0L, "onprem", 0.25m), (s.StartS, s.Location, s.GpuShare!.Value)));
        var byGpu = result.Segments.GroupBy(s => s.SharedGpu).OrderByDescending(g => g.Count()).Select(g => g.Count()).ToArray();
        Assert.Equal([4, 1], byGpu);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void A_gpu_never_takes_more_than_its_shards_the_next_share_waits_for_room()
    {
        var scenario = Scenario([OneT4]);
        var jobs = new[] { Job("a", 0, 3600, share: 0.5m), Job("b", 0, 7200, share: 0.5m), Job("c", 10, 600, share: 0.25m) };

        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);

        Assert.Equal(3600, result.Segments.Single(s => s.JobId == "c").StartS);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void A_whole_gpu_job_waits_while_shares_hold_every_gpu_of_the_node()
    {
        var scenario = Scenario([new NodeGroup("t4", 1, 2, "T4", 16, ShardsPerGpu: 4)]);
        var jobs = new[] { Job("s1", 0, 3600, share: 0.75m), Job("s2", 0, 1800, share: 0.75m), Job("whole", 5, 600, gpus: 2) };

        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);

        Assert.Equal(3600, result.Segments.Single(s => s.JobId == "whole").StartS);
        Assert.Null(result.Segments.Single(s => s.JobId == "whole").GpuShare);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void A_shared_job_is_billed_its_share_rounded_up_to_the_shards_and_utilization_counts_it()
    {
        var scenario = Scenario([OneT4], window: new TimeWindow(StartS: 0, EndS: 7200));
        TraceJob[] shared = [Job("s", 0, 7200, share: 0.3m)];
        TraceJob[] whole = [Job("s", 0, 7200)];

        var asShare = Run(scenario, shared, PlacementStrategies.OnPremOnly);
        var asWhole = Run(scenario, whole, PlacementStrategies.OnPremOnly);

        // 0.3 of a GPU cut into 4 shards reserves 2 shards: half a GPU for 2 h at $1 per GPU-hour.
        Assert.Equal(0.5m, asShare.Segments.Single().GpuShare);
        Assert.Equal(1.00m, asShare.Summary.OnPremCost);
        Assert.Equal(1.0, asShare.Summary.GpuHours.OnPrem);
        Assert.Equal(0.5, asShare.Summary.OnPremUtilization);
        Assert.Equal((2.00m, 1.0), (asWhole.Summary.OnPremCost, asWhole.Summary.OnPremUtilization));
    }

    [Fact]
    public void In_the_cloud_a_shared_job_takes_the_cheapest_instance_that_fits()
    {
        var scenario = Scenario([], [Offer("us-east-1a", "g4dn.12xlarge", "T4", 4, 3.912m), Offer("us-east-1a", "g4dn.xlarge", "T4", 1, 0.526m)],
            maxWaitMinutes: 0);
        TraceJob[] jobs = [Job("s", 0, 3600, share: 0.25m)];

        var result = Run(scenario, jobs, PlacementStrategies.Broker);

        var segment = result.Segments.Single();
        Assert.Equal(("cloud", "g4dn.xlarge"), (segment.Location, segment.InstanceType));
        Assert.Null(segment.GpuShare);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void The_invariant_checker_catches_a_gpu_whose_shares_add_up_to_more_than_one()
    {
        var scenario = Scenario([OneT4]);
        var jobs = Enumerable.Range(0, 4).Select(i => Job($"q{i}", 0, 3600, share: 0.25m)).ToArray();
        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);
        var first = result.Segments[0];

        var tampered = result with { Segments = [.. result.Segments, first with { JobId = "intruder" }] };

        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
        Assert.Contains(ReplayInvariants.Check(scenario, jobs, tampered), v => v.Contains($"GPU {first.SharedGpu} of node t4-01 holds shares adding up to 1.25"));
    }

    [Fact]
    public void The_invariant_checker_catches_a_shared_job_run_on_less_than_its_share()
    {
        var scenario = Scenario([OneT4]);
        TraceJob[] jobs = [Job("s", 0, 3600, share: 0.5m)];
        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);

        var tampered = result with { Segments = [result.Segments[0] with { GpuShare = 0.25m }] };

        Assert.Contains(ReplayInvariants.Check(scenario, jobs, tampered), v => v.Contains("job s: on-prem segment at t=0 holds share 0.25 for a request of 0.5"));
    }
}
