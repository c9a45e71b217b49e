using Broker.Core.Placement;
using Broker.Core.Simulation;
using Broker.Core.Simulation.Replay;
using Broker.Core.Simulation.Scenarios;
using static Broker.Core.Tests.Simulation.SyntheticReplay;

namespace Broker.Core.Tests.Simulation;

/// <summary>
/// A replay frees a node for a whole-node job by moving a running job to another node (ADR 0009, session 30 amendment). Two
/// 8-GPU T4 nodes: a 7-GPU job holds n-01 for 1 h, then a 200-hour 1-GPU job ("pin") joins it by best fit, and a 4-GPU
/// 200-hour job takes half of n-02. When the 7-GPU job ends n-01 has 7 GPUs idle and n-02 4; an 8-GPU job of 4 h then
/// arrives, no node frees for 200 h, and the cloud would cost $10/h against $1 per GPU-hour on-prem.
/// </summary>
public sealed class NodeFreeingReplayTests
{
    private const long Pin = 200 * 3600;
    private const long BigArrives = 2 * 3600 + 600;

    private static readonly LoadedScenario Scenario = SyntheticReplay.Scenario(
        [new NodeGroup("n", 2, 8, "T4", 16)], [Offer("us-east-1a", "g4dn.metal", "T4", 8, onDemand: 10m)]);

    private static (ReplayResult Result, TraceJob[] Jobs) Replay(long? pinCheckpointS, bool pinSpotOk = false,
        string strategy = PlacementStrategies.Broker)
    {
        TraceJob[] jobs =
        [
            Job("first", 0, 3600, gpus: 7), Job("pin", 10, Pin, spotOk: pinSpotOk, checkpointS: pinCheckpointS),
            Job("half", 20, Pin, gpus: 4), Job("big", BigArrives, 4 * 3600, gpus: 8),
        ];
        return (Run(Scenario, jobs, strategy), jobs);
    }

    [Fact]
    public void A_checkpointing_job_moves_to_the_other_node_keeping_its_last_checkpoint_and_the_big_job_starts_on_prem()
    {
        var (result, jobs) = Replay(pinCheckpointS: 1800);

        var pin = result.Segments.Where(s => s.JobId == "pin").OrderBy(s => s.StartS).ToArray();
        Assert.Equal([("n-01", Outcomes.Moved), ("n-02", Outcomes.Completed)], pin.Select(s => (s.Node, s.Outcome)));
        var big = Assert.Single(result.Segments, s => s.JobId == "big");
        Assert.Equal((Markets.OnPrem, "n-01", pin[0].EndS), (big.Market, big.Node, big.StartS));
        Assert.Equal(pin[0].EndS, pin[1].StartS);
        Assert.Equal(0, pin[0].SavedS % 1800);
        Assert.InRange(pin[0].WorkS - pin[0].SavedS, 0, 1799);
        Assert.Equal(Pin, pin.Sum(s => s.SavedS));
        Assert.Equal((0m, 1, 1), (result.Summary.CloudCost, result.Summary.NodeFreeingMoves, result.Summary.MaxPreemptionsPerJob));
        Assert.Empty(ReplayInvariants.Check(Scenario, jobs, result));
    }

    [Fact]
    public void A_job_that_neither_checkpoints_nor_accepts_interruption_stays_and_the_big_job_goes_to_the_cloud()
    {
        var (pinned, _) = Replay(pinCheckpointS: null);
        var (baseline, _) = Replay(pinCheckpointS: 1800, strategy: PlacementStrategies.CheapestFirst);

        foreach (var result in new[] { pinned, baseline })
        {
            Assert.Equal(Outcomes.Completed, Assert.Single(result.Segments, s => s.JobId == "pin").Outcome);
            Assert.Equal("cloud", Assert.Single(result.Segments, s => s.JobId == "big").Location);
            Assert.Equal(0, result.Summary.NodeFreeingMoves);
        }
    }

    [Fact]
    public void A_job_without_checkpoints_that_accepts_interruption_moves_and_restarts_from_the_start_when_its_work_is_cheap_to_redo()
    {
        var (result, jobs) = Replay(pinCheckpointS: null, pinSpotOk: true);

        var pin = result.Segments.Where(s => s.JobId == "pin").OrderBy(s => s.StartS).ToArray();
        Assert.Equal([Outcomes.Moved, Outcomes.Completed], pin.Select(s => s.Outcome));
        Assert.Equal(0, pin[0].SavedS);
        Assert.Equal(Pin, pin[1].EndS - pin[1].StartS);
        Assert.Empty(ReplayInvariants.Check(Scenario, jobs, result));
    }

    [Fact]
    public void The_invariant_checker_catches_a_second_move_off_a_node()
    {
        var (result, jobs) = Replay(pinCheckpointS: 1800);
        var moved = result.Segments.Single(s => s.Outcome == Outcomes.Moved);
        var tampered = result with { Segments = [.. result.Segments, moved with { StartS = moved.EndS + Pin, EndS = moved.EndS + Pin + 60, WorkS = 0, SavedS = 0 }] };

        Assert.Empty(ReplayInvariants.Check(Scenario, jobs, result));
        Assert.Contains(ReplayInvariants.Check(Scenario, jobs, tampered), v => v.Contains("job pin moved 2 times to free a node", StringComparison.Ordinal));
    }
}
