using Broker.Core.Placement;
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
}
