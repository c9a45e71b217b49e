using Broker.Core.Placement;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;
using static Broker.Core.Tests.Simulation.SyntheticReplay;

namespace Broker.Core.Tests.Simulation;

/// <summary>Multi-node gangs in the replay (ADR 0012): the engine's gang planning, whole members of one model or one zone.</summary>
public sealed class GangReplayTests
{
    private static readonly NodeGroup TwoV100 = new("v100", 2, 8, "V100-32GB", 32);

    [Fact]
    public void A_16_gpu_job_waits_for_both_8_gpu_nodes_and_its_members_start_and_end_together()
    {
        var scenario = Scenario([TwoV100]);
        TraceJob[] jobs = [Job("small", 0, 1800, gpus: 1), Job("gang", 10, 3600, gpus: 16)];

        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);

        var gang = result.Segments.Single(s => s.JobId == "gang");
        Assert.Equal((1800L, 5400L, Outcomes.Completed), (gang.StartS, gang.EndS, gang.Outcome));
        Assert.Equal(["v100-01", "v100-02"], gang.Members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(gang.Members, m => Assert.Equal((8, 1800L, 5400L), (m.Gpus, m.StartS, m.EndS)));
        Assert.Equal(16.00m, gang.Cost); // 16 GPUs for one hour at $1 per GPU-hour
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void A_gang_is_never_split_across_models_even_when_that_would_start_it_sooner()
    {
        // At t=10 one V100-32GB node and one V100-16GB node are idle: 16 GPUs, but of two models. The gang waits for the
        // second V100-16GB node instead.
        var scenario = Scenario([new NodeGroup("v32", 1, 8, "V100-32GB", 32), new NodeGroup("v16", 2, 8, "V100-16GB", 16)]);
        TraceJob[] jobs = [Job("busy", 0, 3600, 8, models: ["V100-16GB"]), Job("gang", 10, 600, 16, models: ["V100-16GB", "V100-32GB"])];

        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);

        var gang = result.Segments.Single(s => s.JobId == "gang");
        Assert.Equal(3600, gang.StartS);
        Assert.Equal(["v16-01", "v16-02"], gang.Members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal("V100-16GB", gang.GpuModel);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void A_job_that_only_a_gang_across_two_models_could_hold_is_unplaceable_and_never_runs()
    {
        var scenario = Scenario([new NodeGroup("v32", 1, 8, "V100-32GB", 32), new NodeGroup("v16", 1, 8, "V100-16GB", 16)]);
        TraceJob[] jobs = [Job("gang", 0, 600, 16, models: ["V100-16GB", "V100-32GB"])];

        var (_, unplaceable) = GangShapes.Split(scenario.Scenario, jobs);
        var result = Run(scenario, jobs, PlacementStrategies.OnPremOnly);

        Assert.Equal(["gang"], unplaceable.Select(j => j.JobId));
        Assert.Empty(result.Segments);
    }

    [Fact]
    public void A_cloud_gang_runs_in_one_zone_and_a_spot_loss_interrupts_every_member_at_once()
    {
        // Spot in zone a is there for the first hour, gone for ten minutes, then back; zone b has no spot market.
        var flap = new SpotAvailabilityTrace("a", 600, [1, 1, 1, 1, 1, 1, 0, .. Enumerable.Repeat(1.0, 200)]);
        var scenario = Scenario([], [Offer("us-east-1a", "p3.16xlarge", "V100-16GB", 8, 24.48m, 5m, "a"), Offer("us-east-1b", "p3.16xlarge", "V100-16GB", 8, 24.48m)],
            new Dictionary<string, SpotAvailabilityTrace> { ["a"] = flap }, maxWaitMinutes: 0);
        TraceJob[] jobs = [Job("gang", 0, 7200, 16, spotOk: true, checkpointS: 1800)];

        var result = Run(scenario, jobs, PlacementStrategies.Broker);

        var runs = result.Segments.Where(s => s.JobId == "gang").OrderBy(s => s.StartS).ToArray();
        var first = runs[0];
        Assert.Equal((Outcomes.Preempted, 3600L, "us-east-1a"), (first.Outcome, first.EndS, first.Zone));
        Assert.Equal(2, first.Members.Count);
        Assert.All(first.Members, m => Assert.Equal(("us-east-1a", "p3.16xlarge", 3600L), (m.Zone, m.InstanceType, m.EndS)));
        Assert.Equal(Outcomes.Completed, runs[^1].Outcome);
        Assert.Equal(2, runs.Length);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void The_invariant_checker_catches_a_gang_split_across_models_or_zones_and_a_member_ending_early()
    {
        var onPrem = Scenario([new NodeGroup("v32", 1, 8, "V100-32GB", 32), new NodeGroup("v16", 2, 8, "V100-16GB", 16)]);
        TraceJob[] jobs = [Job("gang", 0, 600, 16, models: ["V100-16GB", "V100-32GB"])];
        var result = Run(onPrem, jobs, PlacementStrategies.OnPremOnly);
        var gang = result.Segments.Single();
        var split = gang with { Members = [gang.Members[0], gang.Members[1] with { Name = "v32-01" }] };
        var early = gang with { Members = [gang.Members[0], gang.Members[1] with { EndS = gang.EndS - 60 }] };

        var splitViolations = ReplayInvariants.Check(onPrem, jobs, result with { Segments = [split] });
        var earlyViolations = ReplayInvariants.Check(onPrem, jobs, result with { Segments = [early] });

        Assert.Empty(ReplayInvariants.Check(onPrem, jobs, result));
        Assert.Contains(splitViolations, v => v.Contains("gang of gang at t=0: split across models V100-16GB/16GB, V100-32GB/32GB"));
        Assert.Contains(earlyViolations, v => v.Contains($"member {gang.Members[1].Name} runs 0..540, the gang 0..600"));

        var cloud = Scenario([], [Offer("us-east-1a", "p3.16xlarge", "V100-16GB", 8, 24.48m), Offer("us-east-1b", "p3.16xlarge", "V100-16GB", 8, 24.48m)],
            maxWaitMinutes: 0);
        var inCloud = Run(cloud, jobs, PlacementStrategies.Broker);
        var cloudGang = inCloud.Segments.Single();
        var zones = cloudGang with { Members = [cloudGang.Members[0], cloudGang.Members[1] with { Zone = "us-east-1b" }] };

        Assert.Empty(ReplayInvariants.Check(cloud, jobs, inCloud));
        Assert.Contains(ReplayInvariants.Check(cloud, jobs, inCloud with { Segments = [zones] }), v => v.Contains("split across zones"));
    }

    [SharedDataFact]
    public void The_philly_gang_scenario_runs_its_16_and_32_gpu_jobs_as_gangs_and_keeps_the_invariants()
    {
        var scenario = ScenarioLoader.Load(Path.Combine(TestPaths.RepoRoot(), "scenarios", "philly-ee9e8c-gangs.json"));
        var (window, all) = scenario.ReadJobs();
        var (jobs, unplaceable) = GangShapes.Split(scenario.Scenario, all);

        var result = ReplayRunner.Run(scenario, window, jobs, PlacementStrategies.Broker);

        Assert.Empty(unplaceable);
        var gangs = result.Segments.Where(s => s.Members.Count > 1).ToArray();
        Assert.Contains(gangs, s => s.Gpus == 16 && s.Location == "onprem" && s.Members.Count == 2);
        Assert.Contains(gangs, s => s.Gpus == 32 && s.Members.Count >= 4);
        Assert.Equal(GangShapes.Gangs(scenario.Scenario, jobs).Count,
            result.Segments.Where(s => s.Outcome == Outcomes.Completed && s.Members.Count > 1).Select(s => s.JobId).Distinct().Count());
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }
}
