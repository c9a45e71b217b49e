using Broker.Core.Placement;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

/// <summary>The replay keeps wait limits exactly (timed passes) and bounds spot thrash, on small scenarios written here.</summary>
public sealed class ReplayLimitTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("broker-replay-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void A_waiting_job_is_looked_at_when_its_limit_runs_out_even_between_regular_passes()
    {
        // One T4 GPU, busy until t=1795 with job a. Job b (30-minute max wait, limit t=1801) expects it at 1795. Job d (no
        // node or offer can take it) arrives at 1500 and makes a pass there, so with 10-minute passes the next regular one
        // would come at 2100: b would wait 35 minutes. The timed pass at its limit starts it at 1801.
        var scenario = Write(passIntervalS: 600, maxWaitMinutes: 30, extraPolicy: "", offers: OnDemandT4, traces: "{}",
            "a,team-a,0,1795,1,T4,,false,", "b,team-a,1,3600,1,T4,,false,", "d,team-a,1500,60,1,V100-32GB,,false,");
        var (window, jobs) = scenario.ReadJobs();

        var result = ReplayRunner.Run(scenario, window, jobs, PlacementStrategies.Broker);

        var b = result.Segments.Where(s => s.JobId == "b").MinBy(s => s.StartS)!;
        Assert.InRange(b.StartS - b.SubmitS, 0, 30 * 60);
        Assert.Equal(0, result.Summary.MaxWaitOverPolicyS);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public void Spot_thrash_is_bounded_by_the_policy(int maxPreemptions, int escalateAfter)
    {
        // Every zone's spot capacity comes and goes every 15 minutes; 6-hour jobs without checkpoints never finish on spot.
        var scenario = Write(passIntervalS: 60, maxWaitMinutes: 0,
            extraPolicy: $", \"maxPreemptionsPerJob\": {maxPreemptions}, \"spotEscalateAfter\": {escalateAfter}",
            offers: FlappingSpotZones, traces: """{ "a": "flap-a.json", "b": "flap-b.json", "c": "flap-c.json" }""",
            [.. Enumerable.Range(0, 6).Select(i => $"s{i},team-a,{i * 400},21600,1,T4,,true,")]);
        var (window, jobs) = scenario.ReadJobs();

        var broker = ReplayRunner.Run(scenario, window, jobs, PlacementStrategies.Broker).Summary;
        var cheapest = ReplayRunner.Run(scenario, window, jobs, PlacementStrategies.CheapestFirst).Summary;

        Assert.InRange(broker.MaxPreemptionsPerJob, 1, maxPreemptions);
        Assert.InRange(broker.MaxFailedSpotLaunchesPerJob, 0, 4 * escalateAfter);
        Assert.Equal(jobs.Count, broker.JobsCompleted);
        Assert.True(cheapest.MaxPreemptionsPerJob > 3, $"the baseline should thrash here: {cheapest.MaxPreemptionsPerJob}");
    }

    private const string OnDemandT4 = """
        [{ "provider": "aws", "region": "us-east-1", "zone": "us-east-1a", "instanceType": "g4dn.xlarge", "gpuModel": "T4",
           "gpus": 1, "gpuMemoryGb": 16, "onDemandPerHour": 0.526, "spotPerHour": null, "spotTrace": null, "source": "test" }]
        """;

    private static string FlappingSpotZones => "[" + string.Join(",", new[] { "a", "b", "c" }.Select(z => $$"""
        { "provider": "aws", "region": "us-east-1", "zone": "us-east-1{{z}}", "instanceType": "g4dn.xlarge", "gpuModel": "T4",
          "gpus": 1, "gpuMemoryGb": 16, "onDemandPerHour": 0.526, "spotPerHour": 0.16, "spotTrace": "{{z}}", "source": "test" }
        """)) + "]";

    private LoadedScenario Write(long passIntervalS, int maxWaitMinutes, string extraPolicy, string offers, string traces, params string[] rows)
    {
        File.WriteAllLines(Path.Combine(dir, "trace.csv"), ["job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s", .. rows]);
        for (var i = 0; i < 3; i++)
        {
            // 15-minute ticks, shifted per zone: up, up, down, down...
            var data = string.Join(",", Enumerable.Range(0, 400).Select(t => (t + i) % 4 < 2 ? 1 : 0));
            File.WriteAllText(Path.Combine(dir, $"flap-{"abc"[i]}.json"), $$"""{"metadata": {"gap_seconds": 900}, "data": [{{data}}]}""");
        }
        var path = Path.Combine(dir, "scenario.json");
        File.WriteAllText(path, $$"""
            {
              "name": "limits", "trace": { "path": "trace.csv", "format": "csv" },
              "onPrem": { "ratePerGpuHour": 0.5, "nodes": [{ "prefix": "t4", "count": 1, "gpusPerNode": 1, "gpuModel": "T4", "gpuMemoryGb": 16 }] },
              "cloud": { "startupS": 120, "minimumBilledS": 60, "blockTtlS": 600, "spotRateWindowS": 3600, "offers": {{offers}} },
              "spotTraces": {{traces}},
              "policy": { "default": { "allowBurst": true, "allowSpot": true, "maxWaitMinutes": {{maxWaitMinutes}}, "maxPricePerGpuHour": 4.0{{extraPolicy}} } },
              "simulation": { "passIntervalS": {{passIntervalS}}, "drainDays": 5, "sampleIntervalS": 3600 }
            }
            """);
        return ScenarioLoader.Load(path);
    }
}
