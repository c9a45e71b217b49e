using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;
using static Broker.Core.Tests.Simulation.SyntheticReplay;

namespace Broker.Core.Tests.Simulation;

/// <summary>
/// The clairvoyant fluid reference of a trace's cloud spend (issue 13) on small traces whose best spend can be worked out by
/// hand: one on-prem V100 and one V100 cloud offer at $3 an hour on-demand and $1 on spot.
/// </summary>
public sealed class FluidCloudReferenceTests
{
    private const long Hour = 3600;

    private static readonly ScenarioOffer V100 = Offer("us-east-1a", "p3.2xlarge", "V100-16GB", 1, 3m, spot: 1m, spotTrace: "t");

    private static Scenario OneGpu(double maxWaitMinutes = 0, int shardsPerGpu = 0) =>
        Scenario([new NodeGroup("n", 1, 1, "V100-16GB", 16, ShardsPerGpu: shardsPerGpu)], [V100], maxWaitMinutes: maxWaitMinutes).Scenario;

    [Fact]
    public void The_on_prem_gpu_goes_to_the_job_the_cloud_would_charge_most()
    {
        // Both want the only GPU for an hour: the spot-tolerant one pays spot in the cloud ($1), not the other one's $3.
        var reference = FluidCloudReference.Of(OneGpu(), [Job("on-demand-only", 0, Hour), Job("tolerates-spot", 0, Hour, spotOk: true)]);

        Assert.Equal(1m, reference.NoWait);
    }

    [Fact]
    public void Only_the_overlap_beyond_the_fleet_is_paid()
    {
        // Two-hour jobs one hour apart on one GPU: only their shared hour overflows.
        var reference = FluidCloudReference.Of(OneGpu(), [Job("first", 0, 2 * Hour), Job("second", Hour, 2 * Hour)]);

        Assert.Equal(3m, reference.NoWait);
    }

    [Fact]
    public void One_max_wait_per_job_takes_off_what_waiting_could_free_at_most()
    {
        // Three ten-hour jobs at once on one GPU: two overflow ($60). Waiting 30 minutes each could free at most 3 × $1.50.
        var jobs = new[] { Job("a", 0, 10 * Hour), Job("b", 0, 10 * Hour), Job("c", 0, 10 * Hour) };

        var reference = FluidCloudReference.Of(OneGpu(maxWaitMinutes: 30), jobs);

        Assert.Equal(60m, reference.NoWait);
        Assert.Equal(55.5m, reference.OneMaxWait);
    }

    [Fact]
    public void Shares_of_one_gpu_fill_it_together()
    {
        var jobs = new[] { Job("half-a", 0, Hour, share: 0.5m), Job("half-b", 0, Hour, share: 0.5m), Job("quarter", 0, Hour, share: 0.25m) };

        var reference = FluidCloudReference.Of(OneGpu(shardsPerGpu: 4), jobs);

        // A quarter of the GPU is missing for the hour. The quarter job bills a whole $3 instance for its share, so it stays
        // on-prem first; a half job loses half of its share, and its own instance ($3 an hour for the half) is what it pays.
        Assert.Equal(1.5m, reference.NoWait);
    }

    [Fact]
    public void Jobs_that_may_not_burst_are_left_out_and_jobs_no_node_holds_pay_in_full()
    {
        var scenario = OneGpu() with
        {
            Policy = new PolicySet(new PolicySettings(AllowBurst: true, AllowSpot: true, 0, 40m),
                new Dictionary<string, PolicySettings> { ["team-b"] = new(AllowBurst: false, AllowSpot: false, 0, null) }),
            Cloud = OneGpu().Cloud with { Offers = [V100, Offer("us-east-1a", "g6.xlarge", "L4", 1, 2m)] },
        };
        TraceJob[] jobs =
        [
            Job("holds-the-gpu", 0, Hour),
            Job("may-not-burst", 0, Hour) with { Team = "team-b" },
            Job("l4-only", 0, 2 * Hour, models: "L4"),
        ];

        var reference = FluidCloudReference.Of(scenario, jobs);

        Assert.Equal(1, reference.JobsLeftOut);
        Assert.Equal(4m, reference.NeverOnPrem); // two hours of the $2 L4: no on-prem node has one
        Assert.Equal(4m, reference.NoWait);
    }

    [Theory]
    [InlineData(40, 1, 14)] // one 4-GPU instance is the smallest that holds 3 GPUs ($14), not three 1-GPU ones ($9)
    [InlineData(4, 0, 0)]   // $14 / 3 GPUs is above a $4 cap: the job can only wait
    public void A_job_pays_the_instance_that_holds_it_within_the_cap(double cap, int included, double spend)
    {
        var scenario = Scenario([new NodeGroup("l4", 1, 4, "L4", 24)],
            [Offer("us-east-1a", "p3.2xlarge", "V100-16GB", 1, 3m), Offer("us-east-1a", "p3.8xlarge", "V100-16GB", 4, 14m)]).Scenario;
        scenario = scenario with { Policy = new PolicySet(new PolicySettings(AllowBurst: true, AllowSpot: true, 0, (decimal)cap)) };

        var reference = FluidCloudReference.Of(scenario, [Job("three-v100", 0, Hour, gpus: 3, models: "V100-16GB")]);

        Assert.Equal(1 - included, reference.JobsLeftOut);
        Assert.Equal((decimal)spend, reference.NeverOnPrem);
        Assert.Equal((decimal)spend, reference.NoWait);
    }

    [Fact]
    public void No_strategy_of_a_real_replay_spends_less_than_the_reference()
    {
        // Overlapping jobs of mixed sizes and spot tolerance on two 2-GPU nodes, 30-minute max wait, spot lost every third hour.
        var flapping = new SpotAvailabilityTrace("t", 3600, [.. Enumerable.Range(0, 200).Select(h => h % 3 == 2 ? 0.0 : 1.0)]);
        var loaded = Scenario([new NodeGroup("n", 2, 2, "V100-16GB", 16)],
            [V100, Offer("us-east-1a", "p3.8xlarge", "V100-16GB", 2, 6m, spot: 2m, spotTrace: "t")],
            spot: new Dictionary<string, SpotAvailabilityTrace> { ["t"] = flapping });
        var jobs = Enumerable.Range(0, 24).Select(i => Job($"j{i}", i * 900, (i % 5 + 1) * Hour, gpus: i % 3 == 0 ? 2 : 1, spotOk: i % 2 == 0)).ToArray();
        var reference = FluidCloudReference.Of(loaded.Scenario, jobs);
        Assert.True(reference.NoWait > 0, "the trace needs some cloud even in the fluid reference");

        foreach (var strategy in new[] { PlacementStrategies.BurstOnDemand, PlacementStrategies.CheapestFirst, PlacementStrategies.Broker })
        {
            var spend = Run(loaded, jobs, strategy).Summary.CloudCost;
            Assert.True(spend >= reference.OneMaxWait, $"{strategy} spent {spend}, below the reference {reference.OneMaxWait}");
        }
    }
}
