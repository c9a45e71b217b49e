using Broker.Core.Placement;
using Broker.Core.Simulation;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using static Broker.Core.Tests.Simulation.SyntheticReplay;

namespace Broker.Core.Tests.Simulation;

/// <summary>
/// A replay moves a checkpointing job (or one that accepts interruption) that burst on-demand back on-prem once on-prem frees
/// (ADR 0009, amendments). One 1-GPU
/// node held 4 h by a first job; a 100-hour job that checkpoints every 30 min cannot wait that long (30 min max wait), bursts
/// on-demand at $3/h (on-prem $1 per GPU-hour), and the node frees while 96 h of it are left.
/// </summary>
public sealed class MigrationReplayTests
{
    private const long Blocker = 4 * 3600;
    private const long Long = 100 * 3600;

    private static readonly LoadedScenario Scenario = SyntheticReplay.Scenario(
        [new NodeGroup("n", 1, 1, "T4", 16)], [Offer("us-east-1a", "g4dn.xlarge", "T4", 1, onDemand: 3m)]);

    private static (ReplayResult Result, TraceJob[] Jobs) Replay(long? checkpointS, string strategy = PlacementStrategies.Broker,
        bool spotOk = false)
    {
        TraceJob[] jobs = [Job("blocker", 0, Blocker), Job("long", 60, Long, spotOk: spotOk, checkpointS: checkpointS)];
        return (Run(Scenario, jobs, strategy), jobs);
    }

    [Fact]
    public void A_long_checkpointing_on_demand_job_moves_on_prem_once_when_the_node_frees()
    {
        var (result, jobs) = Replay(checkpointS: 1800);
        var runs = result.Segments.Where(s => s.JobId == "long").OrderBy(s => s.StartS).ToArray();
        var blockerEnd = result.Segments.Single(s => s.JobId == "blocker").EndS;

        Assert.Equal([(Markets.OnDemand, Outcomes.Migrated), (Markets.OnPrem, Outcomes.Completed)], runs.Select(s => (s.Market, s.Outcome)));
        var (cloud, onPrem) = (runs[0], runs[1]);
        Assert.InRange(cloud.EndS, blockerEnd, blockerEnd + Scenario.Scenario.Simulation.PassIntervalS);
        Assert.Equal(cloud.EndS, onPrem.StartS);
        // The ledger bills the cloud run only up to the move.
        Assert.Equal(cloud.PricePerHour * (cloud.EndS - cloud.StartS) / 3600m, cloud.Cost);
        Assert.Equal(cloud.Cost, result.Summary.CloudCost);
        // Kept: the last checkpoint; redone on-prem: the work since then.
        var rework = cloud.WorkS - cloud.SavedS;
        Assert.Equal(0, cloud.SavedS % 1800);
        Assert.InRange(rework, 0, 1799);
        Assert.Equal(Long + rework, runs.Sum(s => s.WorkS));
        Assert.Equal(Long, runs.Sum(s => s.SavedS));
        Assert.Equal((1, 0, 0), (result.Summary.Migrations, result.Summary.Preemptions, result.Summary.MaxPreemptionsPerJob));
        Assert.Empty(ReplayInvariants.Check(Scenario, jobs, result));
    }

    [Fact]
    public void A_job_without_checkpoints_that_accepts_interruption_moves_and_restarts_from_the_start()
    {
        // The offer has no spot price, so the job runs on-demand although it would accept spot.
        var (result, jobs) = Replay(checkpointS: null, spotOk: true);
        var runs = result.Segments.Where(s => s.JobId == "long").OrderBy(s => s.StartS).ToArray();

        Assert.Equal([(Markets.OnDemand, Outcomes.Migrated), (Markets.OnPrem, Outcomes.Completed)], runs.Select(s => (s.Market, s.Outcome)));
        // Nothing kept from the cloud run: the whole job runs again on-prem.
        Assert.Equal(0, runs[0].SavedS);
        Assert.Equal(Long, runs[1].EndS - runs[1].StartS);
        Assert.Equal(Long + runs[0].WorkS, runs.Sum(s => s.WorkS));
        Assert.Equal((1, 0), (result.Summary.Migrations, result.Summary.Preemptions));
        Assert.Empty(ReplayInvariants.Check(Scenario, jobs, result));
    }

    [Fact]
    public void A_job_larger_than_any_node_moves_back_as_an_on_prem_gang()
    {
        var scenario = SyntheticReplay.Scenario([new NodeGroup("n", 2, 1, "T4", 16)], [Offer("us-east-1a", "g4dn.12xlarge", "T4", 2, onDemand: 6m)]);
        TraceJob[] jobs = [Job("blocker", 0, Blocker, gpus: 2), Job("long", 60, Long, gpus: 2, checkpointS: 1800)];

        var result = Run(scenario, jobs, PlacementStrategies.Broker);

        var runs = result.Segments.Where(s => s.JobId == "long").OrderBy(s => s.StartS).ToArray();
        Assert.Equal([(Markets.OnDemand, Outcomes.Migrated), (Markets.OnPrem, Outcomes.Completed)], runs.Select(s => (s.Market, s.Outcome)));
        Assert.Equal(["n-01", "n-02"], runs[1].Members.Select(m => m.Name));
        Assert.Equal(1, result.Summary.Migrations);
        Assert.Empty(ReplayInvariants.Check(scenario, jobs, result));
    }

    [Fact]
    public void Without_checkpoints_and_without_accepting_interruption_or_under_a_baseline_the_job_stays_on_demand_to_the_end()
    {
        var (noCheckpoint, _) = Replay(checkpointS: null);
        var (cheapestFirst, _) = Replay(checkpointS: 1800, PlacementStrategies.CheapestFirst);

        foreach (var result in new[] { noCheckpoint, cheapestFirst })
        {
            var run = Assert.Single(result.Segments, s => s.JobId == "long");
            Assert.Equal((Markets.OnDemand, Outcomes.Completed), (run.Market, run.Outcome));
            Assert.Equal(0, result.Summary.Migrations);
        }
    }

    [Fact]
    public void The_invariant_checker_catches_a_second_move_and_a_move_billed_past_it()
    {
        var (result, jobs) = Replay(checkpointS: 1800);
        var moved = result.Segments.Single(s => s.Outcome == Outcomes.Migrated);
        var tampered = result with
        {
            Segments = [.. result.Segments.Where(s => s != moved), moved with { Cost = moved.Cost + 1m },
                moved with { StartS = moved.EndS + Long, EndS = moved.EndS + Long + 60, Cost = 0m }],
        };

        var violations = ReplayInvariants.Check(Scenario, jobs, tampered);

        Assert.Contains(violations, v => v.Contains("job long moved back on-prem 2 times", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains($"migrated run at t={moved.StartS} is not a cloud run billed to its end", StringComparison.Ordinal));
    }
}
