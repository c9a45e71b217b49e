using Broker.Core.Placement;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

/// <summary>The replay with user limits: the engine sees limits and what it learned, and learns only from finished jobs.</summary>
public sealed class LearningReplayTests
{
    private static readonly Lazy<LoadedScenario> Fixture = new(() => ScenarioLoader.Load(TestPaths.Fixture("small-scenario.json")));

    /// <summary>The fixture's jobs with limits four times their duration (a known pattern to learn), and more of them.</summary>
    private static (LoadedScenario Scenario, TraceWindow Window, IReadOnlyList<TraceJob> Jobs) Overestimated()
    {
        var (window, jobs) = Fixture.Value.ReadJobs();
        var repeated = Enumerable.Range(0, 4).SelectMany(round => jobs.Select(j => j with
        {
            JobId = $"{j.JobId}-r{round}", SubmitS = j.SubmitS + round * (window.EndS - window.StartS), LimitS = j.DurationS * 4,
        })).ToArray();
        var longer = new TraceWindow(window.StartS, window.StartS + 4 * (window.EndS - window.StartS));
        return (Fixture.Value.WithEstimates(new EstimateSettings(EstimateModes.Trace)), longer, longer.Select(repeated));
    }

    [Theory]
    [InlineData(PlacementStrategies.Broker)]
    [InlineData(PlacementStrategies.CheapestFirst)]
    public void A_learning_replay_keeps_every_invariant_and_learns_only_from_finished_jobs(string strategy)
    {
        var (scenario, window, jobs) = Overestimated();

        var result = ReplayRunner.Run(scenario, window, jobs, strategy);

        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
        Assert.NotEmpty(result.Learned);
        Assert.Equal(result.Segments.Count(s => s.Outcome == Outcomes.Completed), result.Learned.Count);
    }

    [Fact]
    public void Planned_runtimes_move_from_the_limits_towards_the_truth_as_jobs_finish()
    {
        var (scenario, window, jobs) = Overestimated();

        var predictions = ReplayRunner.Run(scenario, window, jobs, PlacementStrategies.Broker).Predictions.OrderBy(p => p.AtS).ToArray();

        double Error(IEnumerable<JobPrediction> ps) =>
            ps.Select(p => Math.Abs(p.PredictedS - p.ActualS) / (double)p.ActualS).Order().ElementAt(ps.Count() / 2);
        var early = Error(predictions.Take(20));
        var late = Error(predictions.Skip(predictions.Length - 60));
        Assert.Equal(predictions[0].RequestedS, predictions[0].PredictedS); // nothing has finished yet: the limit
        Assert.True(late < 0.3 && late < early, $"late error {late} vs early {early} (a limit is 3.0 off)");
        Assert.All(predictions, p => Assert.InRange(p.PredictedS, 1, p.RequestedS));
    }

    [Fact]
    public void The_invariants_catch_learning_from_a_job_before_it_finished_or_one_that_never_did()
    {
        var (scenario, window, jobs) = Overestimated();
        var result = ReplayRunner.Run(scenario, window, jobs, PlacementStrategies.Broker);
        var done = result.Segments.First(s => s.Outcome == Outcomes.Completed);
        var tampered = result with
        {
            Learned = [.. result.Learned, new LearningEvent(done.JobId, done.EndS - 1), new LearningEvent("job-001-r0", 10)],
            Predictions = [.. result.Predictions, result.Predictions[0] with { TrainedAtS = result.Predictions[0].AtS + 1 }],
        };

        var violations = ReplayInvariants.Check(scenario, jobs, tampered);

        Assert.Contains(violations, v => v.Contains($"job {done.JobId} at t={done.EndS - 1}, before it finished"));
        Assert.Contains(violations, v => v.Contains("job-001-r0") && v.Contains("never completed"));
        Assert.Contains(violations, v => v.Contains("with a runtime model trained at"));
    }

    [Fact]
    public void An_oracle_replay_plans_with_the_real_durations_and_learns_nothing()
    {
        var (window, jobs) = Fixture.Value.ReadJobs();

        var result = ReplayRunner.Run(Fixture.Value, window, jobs, PlacementStrategies.Broker);

        Assert.Empty(result.Learned);
        Assert.All(result.Predictions, p => Assert.Equal(p.ActualS, p.PredictedS));
    }
}
