using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>
/// A pending job that wants a whole node and would go to the cloud starts on-prem instead when moving running jobs onto GPUs
/// idle on other nodes frees a node for it, and the cloud cost avoided is at least twice the moves' cost (ADR 0009, session 30
/// amendment). Two 8-GPU V100 nodes: v100-01 has 7 GPUs idle and one 1-GPU job, v100-02 has 4 idle and a 4-GPU job nobody may
/// move; the pending job wants 8 GPUs for 4 h, an 8-GPU V100 instance costs $24.48/h on-demand (no spot), on-prem $0.60 per
/// GPU-hour. Neither node frees before 100 h, so without a move the job goes to the cloud (about $98 against $19 on-prem).
/// </summary>
public sealed class NodeFreeingTests
{
    /// <summary>The 1-GPU job on v100-01: checkpoints every 30 min, 10 min past its last checkpoint, 100 h to go.</summary>
    private static OnPremProgress Checkpointing() =>
        new([], 0, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10), TimeSpan.FromHours(100), SpotAllowed: false,
            Deadline: null, Preemptions: 0, Moved: false);

    private static PlacementPlan Place(OnPremProgress? small, int idleOnOther = 4, params PendingJob[] pending)
    {
        var builder = new SnapshotBuilder()
            .Node("v100-01", total: 8, idle: 7, model: "V100")
            .Node("v100-02", total: 8, idle: idleOnOther, model: "V100")
            .Offer(NewOffer("p3.16xlarge", model: "V100", gpus: 8, onDemand: 24.48m, spot: null))
            .Running("v100-02", 8 - idleOnOther, hoursLeft: 100);
        foreach (var job in pending.Length == 0 ? [Big()] : pending)
        {
            builder.Job(job);
        }
        var snapshot = builder.Build();
        var running = snapshot.RunningJobs.Append(new RunningOnPremJob("small", "team-b", "v100-01", 1, Now.AddHours(100), small));
        return PlacementStrategies.Get(PlacementStrategies.Broker).Place(snapshot with { RunningJobs = [.. running] });
    }

    private static PendingJob Big(string id = "big") => NewJob(id, gpus: 8, hours: 4, spot: false, submittedMinutesAgo: 31);

    public static TheoryData<string, OnPremProgress?, int, bool> Cases => new()
    {
        { "a checkpointing job moves to the other node's idle GPUs: 15 min of rework and restart ($0.15) against ~$79 saved", Checkpointing(), 4, true },
        { "a job that does not checkpoint but accepts interruption moves, its 10 min of work being the rework", Checkpointing() with
            { CheckpointInterval = null, SpotAllowed = true }, 4, true },
        { "not when its rework is dear: 80 h of work lost ($48) against ~$79 saved is less than the margin of two", Checkpointing() with
            { CheckpointInterval = null, SpotAllowed = true, SinceCheckpoint = TimeSpan.FromHours(80) }, 4, false },
        { "never a job that neither checkpoints nor accepts interruption", Checkpointing() with { CheckpointInterval = null }, 4, false },
        { "not twice: a job moved once by this rule stays", Checkpointing() with { Moved = true }, 4, false },
        { "not past its deadline: 15 min of rework and restart would miss a deadline 10 min after its expected end", Checkpointing() with
            { Deadline = Now.AddHours(100).AddMinutes(10) }, 4, false },
        { "a deadline the moved job still meets", Checkpointing() with { Deadline = Now.AddHours(101) }, 4, true },
        { "not past the preemption bound: 3 interruptions or moves already (policy default 3)", Checkpointing() with { Preemptions = 3 }, 4, false },
        { "under the bound it moves", Checkpointing() with { Preemptions = 2 }, 4, true },
        { "not without room: no other node has an idle GPU for it", Checkpointing(), 0, false },
        { "not a job it cannot place elsewhere: it accepts only A100", Checkpointing() with { AcceptableGpuModels = ["A100"] }, 4, false },
        { "never when the caller gave no progress (the live snapshot today)", null, 4, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_running_job_is_moved_to_free_a_node_only_when_every_condition_holds(string why, OnPremProgress? small, int idleOnOther, bool moves)
    {
        // Control: the base case moves, so a "stays" case differs from a move in the one term it names.
        Assert.IsType<OnPremDecision>(Place(Checkpointing()).Decisions.Single(d => d.JobId == "big"));
        var plan = Place(small, idleOnOther);

        var decision = plan.Decisions.Single(d => d.JobId == "big");
        Assert.True(moves == decision is OnPremDecision, why);
        if (decision is OnPremDecision onPrem)
        {
            Assert.Equal(("v100-01", 8), (onPrem.Node, onPrem.Gpus));
            var move = Assert.Single(onPrem.Moves!);
            Assert.Equal(("small", "v100-01", "v100-02", 1, "V100"), (move.JobId, move.FromNode, move.ToNode, move.Gpus, move.GpuModel));
            Assert.Equal(small!.SinceCheckpoint, move.Rework);
        }
        else
        {
            Assert.IsType<CloudDecision>(decision);
        }
    }

    [Fact]
    public void A_job_is_moved_once_in_a_pass_even_when_two_pending_jobs_want_its_node()
    {
        var plan = Place(Checkpointing(), 4, Big("big-1"), Big("big-2"));

        var freed = plan.Decisions.OfType<OnPremDecision>().Where(d => d.Moves is not null).ToArray();
        Assert.Single(freed);
        Assert.Single(plan.Decisions.OfType<CloudDecision>());
    }

    [Fact]
    public void Gpus_a_later_job_of_the_queue_took_are_not_taken_by_the_move()
    {
        // A 4-GPU job (after the big one in the queue) takes v100-02's 4 idle GPUs; nowhere is left for the small job.
        var plan = Place(Checkpointing(), 4, Big(), NewJob("four", gpus: 4, hours: 1, submittedMinutesAgo: 1));

        Assert.IsType<OnPremDecision>(plan.Decisions.Single(d => d.JobId == "four"));
        Assert.IsType<CloudDecision>(plan.Decisions.Single(d => d.JobId == "big"));
    }

    [Fact]
    public void The_explanation_names_the_moved_job_where_it_goes_its_rework_and_the_cloud_option_avoided()
    {
        var onPrem = Assert.IsType<OnPremDecision>(Place(Checkpointing()).Decisions.Single(d => d.JobId == "big"));

        Assert.StartsWith("on-prem v100-01 (8x V100) freed by moving small (1 GPU) to v100-02, 10m of rework: saves ~$",
            onPrem.Explanation.Chosen, StringComparison.Ordinal);
        var cloud = Assert.Single(onPrem.Explanation.Rejected);
        Assert.StartsWith("cloud ", cloud.Option, StringComparison.Ordinal);
        Assert.NotNull(cloud.ExpectedCost);
    }

    [Fact]
    public void A_job_smaller_than_a_node_is_not_placed_by_moving_others()
    {
        // v100-01: 5 idle, the movable 1-GPU job and a 2-GPU job; v100-02: 2 idle. Moving the small job would give a 6-GPU job
        // its GPUs on v100-01, but only a job that wants a whole node frees one: this one goes to the cloud as before.
        var snapshot = new SnapshotBuilder()
            .Node("v100-01", total: 8, idle: 5, model: "V100")
            .Node("v100-02", total: 8, idle: 2, model: "V100")
            .Offer(NewOffer("p3.16xlarge", model: "V100", gpus: 8, onDemand: 24.48m, spot: null))
            .Running("v100-01", 2, hoursLeft: 100)
            .Running("v100-02", 6, hoursLeft: 100)
            .Job(NewJob("six", gpus: 6, hours: 4, spot: false, submittedMinutesAgo: 31))
            .Build();
        var running = snapshot.RunningJobs.Append(new RunningOnPremJob("small", "team-b", "v100-01", 1, Now.AddHours(100), Checkpointing()));

        var plan = PlacementStrategies.Get(PlacementStrategies.Broker).Place(snapshot with { RunningJobs = [.. running] });

        Assert.IsType<CloudDecision>(plan.Decisions.Single(d => d.JobId == "six"));
    }
}
