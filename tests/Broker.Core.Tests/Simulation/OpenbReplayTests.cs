using Broker.Core.Placement;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation.Traces;
using Broker.Core.Simulation;

namespace Broker.Core.Tests.Simulation;

/// <summary>The real Alibaba trace through the reference scenario, on a two-day slice so it stays fast.</summary>
public sealed class OpenbReplayTests
{
    [SharedDataFact]
    public void A_two_day_openb_slice_replays_deterministically_and_keeps_the_invariants()
    {
        var scenario = ScenarioLoader.Load(Path.Combine(TestPaths.RepoRoot(), "scenarios", "openb-hybrid.json"));
        var (full, all) = scenario.ReadJobs();
        var window = new TraceWindow(full.EndS - 2 * 86400, full.EndS);
        var jobs = window.Select(all);
        Assert.InRange(jobs.Count, 200, 2000);

        foreach (var strategy in new[] { PlacementStrategies.CheapestFirst, PlacementStrategies.Broker })
        {
            var first = ReplayRunner.Run(scenario, window, jobs, strategy);
            var second = ReplayRunner.Run(scenario, window, jobs, strategy);

            Assert.Equal(ReplayTests.Log(first), ReplayTests.Log(second));
            Assert.Empty(ReplayInvariants.Check(scenario, jobs, first));
            Assert.Contains(first.Segments, s => s.Market == Markets.OnPrem);
        }
    }

    [SharedDataFact]
    public void The_shared_openb_slice_packs_shares_deterministically_keeps_the_invariants_and_runs_the_same_jobs()
    {
        var whole = ScenarioLoader.Load(Path.Combine(TestPaths.RepoRoot(), "scenarios", "openb-hybrid.json"));
        var shared = ScenarioLoader.Load(Path.Combine(TestPaths.RepoRoot(), "scenarios", "openb-shared.json"));
        var (full, all) = shared.ReadJobs();
        var window = new TraceWindow(full.EndS - 2 * 86400, full.EndS);
        var jobs = window.Select(all);

        var first = ReplayRunner.Run(shared, window, jobs, PlacementStrategies.Broker);
        var second = ReplayRunner.Run(shared, window, jobs, PlacementStrategies.Broker);

        Assert.Equal(window.Select(whole.ReadJobs().Jobs).Select(j => (j.JobId, j.Gpus)), jobs.Select(j => (j.JobId, j.Gpus)));
        Assert.Contains(jobs, j => j.GpuShare is not null);
        Assert.Equal(ReplayTests.Log(first), ReplayTests.Log(second));
        Assert.Empty(ReplayInvariants.Check(shared, jobs, first));
        Assert.Contains(first.Segments.Where(s => s.GpuShare is not null).GroupBy(s => (s.Node, s.SharedGpu)), g => g.Count() > 1);
    }
}
