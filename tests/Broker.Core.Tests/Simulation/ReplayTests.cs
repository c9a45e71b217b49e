using Broker.Core.Placement;
using Broker.Core.Simulation.Output;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

public sealed class ReplayTests
{
    public static TheoryData<string> AllStrategies => new(PlacementStrategies.Names);

    private static readonly Lazy<LoadedScenario> Fixture = new(() => ScenarioLoader.Load(TestPaths.Fixture("small-scenario.json")));

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void The_same_scenario_twice_gives_byte_identical_decision_logs(string strategy)
    {
        var first = Log(ReplayRunner.Run(Fixture.Value, strategy));
        var second = Log(ReplayRunner.Run(Fixture.Value, strategy));

        Assert.Equal(first, second);
        Assert.StartsWith(DecisionLogCsv.Header + "\n", first);
        Assert.True(first.Split('\n').Length > 40);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Every_replay_keeps_the_invariants(string strategy)
    {
        var (window, jobs) = Fixture.Value.ReadJobs();

        var result = ReplayRunner.Run(Fixture.Value, window, jobs, strategy);

        Assert.Empty(ReplayInvariants.Check(Fixture.Value, jobs, result));
        Assert.Equal(jobs.Count, result.Summary.Jobs);
    }

    [Fact]
    public void Strategies_differ_the_way_they_should_on_the_fixture()
    {
        var results = ReplayRunner.Compare(Fixture.Value).ToDictionary(r => r.Strategy);

        Assert.Equal(0m, results[PlacementStrategies.OnPremOnly].Summary.CloudCost);
        Assert.Equal(0m, results[PlacementStrategies.BurstOnDemand].Summary.CloudSpendByMarket.Spot);
        Assert.True(results[PlacementStrategies.CheapestFirst].Summary.CloudSpendByMarket.Spot > 0);
        Assert.True(results[PlacementStrategies.OnPremOnly].Summary.WaitSeconds.P95 > results[PlacementStrategies.Broker].Summary.WaitSeconds.P95);
    }

    [Fact]
    public void A_job_no_node_or_offer_can_take_stays_unfinished_and_never_runs()
    {
        var result = ReplayRunner.Run(Fixture.Value, PlacementStrategies.Broker);

        Assert.DoesNotContain(result.Segments, s => s.JobId == "job-001");
        Assert.True(result.Summary.JobsUnfinished >= 1);
    }

    [Fact]
    public void The_invariant_checker_catches_an_over_allocated_node_and_a_short_run()
    {
        var (window, jobs) = Fixture.Value.ReadJobs();
        var result = ReplayRunner.Run(Fixture.Value, window, jobs, PlacementStrategies.OnPremOnly);
        var first = result.Segments.First(s => s.Location == "onprem");
        var tampered = result with
        {
            Segments = [.. result.Segments, first with { JobId = "intruder", Gpus = 8 }, first with { SavedS = first.SavedS - 1, WorkS = first.WorkS - 1 }],
        };

        var violations = ReplayInvariants.Check(Fixture.Value, jobs, tampered);

        Assert.Contains(violations, v => v.Contains($"node {first.Node} runs"));
        Assert.Contains(violations, v => v.Contains($"job {first.JobId}: completed with"));
    }

    [Fact]
    public void Outputs_are_well_formed()
    {
        var results = ReplayRunner.Compare(Fixture.Value);

        var svg = SvgChart.Render("fixture", results);
        var json = SummaryJson.Serialize(results.Select(r => r.Summary));

        Assert.StartsWith("<svg", svg);
        Assert.Equal(3 * results.Count, svg.Split("<polyline").Length - 1);
        Assert.Equal(4, System.Text.Json.JsonDocument.Parse(json).RootElement.GetArrayLength());
        Assert.Contains("\"cloudSpendByMarket\"", json);
    }

    internal static string Log(ReplayResult result)
    {
        var writer = new StringWriter();
        DecisionLogCsv.Write(writer, result.Segments);
        return writer.ToString();
    }
}
