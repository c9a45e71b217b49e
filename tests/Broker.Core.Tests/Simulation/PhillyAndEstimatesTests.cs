using Broker.Core.Simulation.Estimates;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

public sealed class PhillyAndEstimatesTests
{
    private static readonly PhillyMapping Mapping = new("unused", 4, ["V100-16GB", "V100-32GB"], 0.5, 0.5, 1800, 3600);

    private static IReadOnlyList<TraceJob> ReadSlice(PhillyMapping? mapping = null)
    {
        var throughputs = PhillyThroughputs.Parse(File.ReadAllText(TestPaths.Fixture("philly-throughputs.json")), "fixture");
        using var reader = new StreamReader(TestPaths.Fixture("philly-slice.trace"));
        return GavelPhillyTrace.Read(reader, TestPaths.Fixture("philly-slice.trace"), throughputs, mapping ?? Mapping, null);
    }

    [Fact]
    public void Philly_durations_are_total_steps_over_the_v100_throughput_at_the_jobs_scale_or_else_at_one_gpu()
    {
        var jobs = ReadSlice();

        Assert.Equal(["philly-slice-0001", "philly-slice-0002", "philly-slice-0003", "philly-slice-0004"], jobs.Select(j => j.JobId));
        Assert.Equal([36_000L, 3_600, 1_800, 2_500], jobs.Select(j => j.DurationS)); // 360000/10, 72000/20 (8 GPUs), 7200/4 (no 2-GPU figure), 5000/2
        Assert.Equal([0L, 121, 300, 900], jobs.Select(j => j.SubmitS));
        Assert.Equal([1, 8, 2, 16], jobs.Select(j => j.Gpus));
        Assert.Equal("ResNet-18 (batch size 32)", jobs[1].Signature);
        Assert.All(jobs, j => Assert.Equal(["V100-16GB", "V100-32GB"], j.GpuModels));
        Assert.All(jobs, j => Assert.Null(j.LimitS));
    }

    [Fact]
    public void Philly_team_and_spot_assignments_follow_the_hash_seed()
    {
        var a = ReadSlice();
        var b = ReadSlice(Mapping with { HashSeed = "s1", Teams = 1000 });

        Assert.Equal(a, ReadSlice());
        Assert.NotEqual(a.Select(j => j.Team), b.Select(j => j.Team));
    }

    [Fact]
    public void A_bad_philly_row_fails_with_its_line()
    {
        var throughputs = PhillyThroughputs.Parse(File.ReadAllText(TestPaths.Fixture("philly-throughputs.json")), "fixture");
        var error = Assert.Throws<TraceFormatException>(() =>
            GavelPhillyTrace.Read(new StringReader("A3C\tcmd\t-s\t1\t100\t0\t1\nA3C\tcmd\t-s\t1\tten\t0\t1\n"), "x.trace", throughputs, Mapping, null));

        Assert.Contains("line 1", error.Message); // A3C has no throughput in the fixture
    }

    [Fact]
    public void Only_jobs_no_node_gang_or_instance_gang_could_hold_are_reported_as_unplaceable_not_dropped()
    {
        // The fixture has one 8-GPU V100 node and 1-GPU V100 instances: 16 GPUs fit a cloud gang of 16 instances (the most
        // members a gang may have), 32 GPUs fit nothing.
        var scenario = ScenarioLoader.Load(TestPaths.Fixture("small-scenario.json")).Scenario;
        var slice = ReadSlice();
        TraceJob[] jobs = [.. slice, slice[3] with { JobId = "too-big", Gpus = 32 }];

        var (placeable, unplaceable) = GangShapes.Split(scenario, jobs);

        Assert.Equal(jobs.Length, placeable.Count + unplaceable.Count);
        Assert.Equal(["too-big"], unplaceable.Select(j => j.JobId));
        Assert.Equal("32 GPUs: 1", GangShapes.Describe(unplaceable));
        Assert.Equal(["philly-slice-0004"], GangShapes.Gangs(scenario, placeable).Select(j => j.JobId));
    }

    private static BlueWatersRatios Ratios()
    {
        using var reader = new StreamReader(TestPaths.Fixture("bluewaters-sample.csv"));
        return BlueWatersRatios.Read(reader, "fixture");
    }

    [Fact]
    public void Blue_waters_ratios_are_per_user_gpu_jobs_only()
    {
        var ratios = Ratios();

        Assert.Equal(["7", "9", "12"], ratios.Users.Select(u => u.User));
        Assert.Equal([0.1, 0.2], ratios.Users[0].Ratios);
        Assert.Equal(2, ratios.Users[1].Ratios.Count);
    }

    [Fact]
    public void Blue_waters_limits_are_never_below_the_duration_nor_above_the_maximum_and_depend_on_the_seed()
    {
        var jobs = Enumerable.Range(0, 200).Select(i => new TraceJob($"j{i}", $"team-{i % 20}", i, 600 + i * 97L, 1, [], null, false, null)).ToArray();
        var settings = new EstimateSettings(EstimateModes.BlueWaters, "x", "", true, 86_400);

        var limits = UserEstimates.Apply(jobs, settings, Ratios());
        var reseeded = UserEstimates.Apply(jobs, settings with { HashSeed = "s1" }, Ratios());

        Assert.All(limits.Zip(jobs), p => Assert.InRange(p.First.LimitS!.Value, p.Second.DurationS, Math.Max(p.Second.DurationS, 86_400)));
        Assert.Contains(limits, j => j.LimitS > j.DurationS * 4);
        Assert.Contains(limits, j => j.LimitS == j.DurationS); // a ratio >= 1: the user asked for no more than it took
        Assert.Equal(limits, UserEstimates.Apply(jobs, settings, Ratios()));
        Assert.NotEqual(limits.Select(j => j.LimitS), reseeded.Select(j => j.LimitS));
    }

    [Fact]
    public void Oracle_estimates_are_the_durations_and_trace_estimates_need_a_limit()
    {
        var jobs = new[] { new TraceJob("a", "t", 0, 100, 1, [], null, false, null) };

        Assert.Equal(100, UserEstimates.Apply(jobs, null, null)[0].LimitS);
        Assert.Throws<TraceFormatException>(() => UserEstimates.Apply(jobs, new EstimateSettings(EstimateModes.Trace), null));
        Assert.Equal(400, UserEstimates.Apply([jobs[0] with { LimitS = 400 }], new EstimateSettings(EstimateModes.Trace), null)[0].LimitS);
    }
}
