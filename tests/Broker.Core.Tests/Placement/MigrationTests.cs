using Broker.Core.Capacity;
using Broker.Core.Placement;
using Broker.Core.Scheduling;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>
/// The broker moves a checkpointing cloud job back on-prem once the queue has had its turn and the move pays for its rework
/// (ADR 0009, amendment). One idle 8-GPU V100 node, the default policy (on-prem $0.60 per GPU-hour, recheck every 5 min).
/// </summary>
public sealed class MigrationTests
{
    private const string Node = "g2-01";

    /// <summary>An 8-GPU on-demand job at $44.06/h that checkpoints every 30 min, 20 min past its last checkpoint, 420 h to go.</summary>
    private static RunningCloudJob LongOnDemand(string id = "cloud-1") =>
        new(id, "team-a", 8, [], 0, 44.06m, CapacityType.OnDemand, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(20),
            TimeSpan.FromHours(420), Deadline: null, Migrated: false);

    private static PlacementPlan Place(IReadOnlyList<RunningCloudJob> cloudJobs, string strategy = PlacementStrategies.Broker,
        PendingJob? pending = null, int idle = 8)
    {
        var builder = new SnapshotBuilder().Node(Node, total: 8, idle: idle, model: "V100");
        if (pending is not null)
        {
            builder.Job(pending);
        }
        return PlacementStrategies.Get(strategy).Place(builder.Build() with { CloudJobs = cloudJobs });
    }

    public static TheoryData<string, RunningCloudJob, bool> Cases => new()
    {
        { "a long checkpointing on-demand job moves", LongOnDemand(), true },
        { "a long checkpointing spot job moves when the price gap pays", LongOnDemand() with { Market = CapacityType.Spot, PricePerHour = 12m }, true },
        { "a short job does not: 30 min left is less than 2 x (20 min rework + 5 min recheck)", LongOnDemand() with { RemainingWork = TimeSpan.FromMinutes(30) }, false },
        { "a job that neither checkpoints nor accepts interruption never moves", LongOnDemand() with { CheckpointInterval = null }, false },
        { "a job that does not checkpoint but accepts interruption (spot allowed) moves: its 20 min of work are the rework", LongOnDemand() with
            { CheckpointInterval = null, SpotAllowed = true }, true },
        { "it stays when its work so far is too much to redo: 250 h of rework against 420 h left", LongOnDemand() with
            { CheckpointInterval = null, SpotAllowed = true, SinceCheckpoint = TimeSpan.FromHours(250) }, false },
        { "a job that moved once never moves again", LongOnDemand() with { Migrated = true }, false },
        { "no saving when the cloud costs less than on-prem", LongOnDemand() with { PricePerHour = 4m }, false },
        { "the saving must be twice the rework: $5.20/h over 8 h ($41.60) against 3.5 h of rework at $10/h ($35)", LongOnDemand() with
            { PricePerHour = 10m, RemainingWork = TimeSpan.FromHours(8), SinceCheckpoint = TimeSpan.FromHours(3.5), CheckpointInterval = TimeSpan.FromHours(4) }, false },
        { "on-prem restarts 20 min behind: a deadline 10 min after the cloud finish is missed", LongOnDemand() with
            { Deadline = SnapshotBuilder.Now + TimeSpan.FromHours(420) + TimeSpan.FromMinutes(10) }, false },
        { "a deadline the on-prem restart still meets", LongOnDemand() with { Deadline = SnapshotBuilder.Now + TimeSpan.FromHours(421) }, true },
        { "a job that accepts no on-prem model stays", LongOnDemand() with { AcceptableGpuModels = ["A100"] }, false },
        { "a 24-GPU gang does not fit the one 8-GPU node", LongOnDemand() with { Gpus = 24 }, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_cloud_job_moves_back_on_prem_only_when_every_condition_holds(string why, RunningCloudJob job, bool moves)
    {
        // Control: the case's job differs from one that moves in one term only, so a "stays" case cannot pass without the rule.
        Assert.Single(Place([LongOnDemand()]).Decisions.OfType<MigrationDecision>());
        var plan = Place([job]);

        var migration = plan.Decisions.OfType<MigrationDecision>().SingleOrDefault();
        Assert.True(moves == migration is not null, why);
        if (migration is not null)
        {
            Assert.Equal((job.JobId, Node, job.Gpus, "V100"), (migration.JobId, migration.Node, migration.Gpus, migration.GpuModel));
            Assert.Equal(job.SinceCheckpoint, migration.Rework);
            Assert.True(migration.ExpectedSaving > 0, why);
        }
    }

    [Fact]
    public void The_explanation_names_the_node_the_market_the_checkpoints_and_the_saving_against_the_rework()
    {
        var migration = Assert.Single(Place([LongOnDemand()]).Decisions.OfType<MigrationDecision>());

        // (44.06 - 8 x 0.60) x 420 h = 16,489; 20 min at $44.06/h = $15.
        Assert.Equal("migrate to on-prem g2-01: on-demand $44.06/h, 1 checkpoint every 30m, saves ~$16,489 over the remaining 420h "
            + "against ~$15 of rework (20m since its last checkpoint)", migration.Explanation.Chosen);
    }

    [Fact]
    public void A_job_without_checkpoints_is_explained_as_restarting_from_the_start_with_its_work_so_far_as_rework()
    {
        var migration = Assert.Single(Place([LongOnDemand() with { CheckpointInterval = null, SpotAllowed = true }]).Decisions
            .OfType<MigrationDecision>());

        Assert.Equal("migrate to on-prem g2-01: on-demand $44.06/h, no checkpoints (it accepts interruption: restarts from the start), "
            + "saves ~$16,489 over the remaining 420h against ~$15 of rework (20m of work so far)", migration.Explanation.Chosen);
    }

    [Fact]
    public void A_waiting_pending_job_gets_the_free_node_first()
    {
        var plan = Place([LongOnDemand()], pending: NewJob("queued", gpus: 8, hours: 3, spot: false));
        var withoutQueue = Place([LongOnDemand()]);

        Assert.Single(withoutQueue.Decisions.OfType<MigrationDecision>());
        var onPrem = Decision<OnPremDecision>(plan, "queued");
        Assert.Equal(Node, onPrem.Node);
        Assert.Empty(plan.Decisions.OfType<MigrationDecision>());
    }

    [Fact]
    public void Gpus_held_for_a_pending_job_that_waits_are_not_taken()
    {
        // Only 4 of 8 GPUs idle: the 8-GPU pending job waits for the rest (the idle 4 are held for it), a 4-GPU cloud job stays.
        var builder = new SnapshotBuilder().Node(Node, total: 8, idle: 4, model: "V100").Running(Node, 4, hoursLeft: 0.25)
            .Job(NewJob("queued", gpus: 8, hours: 3, spot: false));
        var withQueue = PlacementStrategies.Get(PlacementStrategies.Broker)
            .Place(builder.Build() with { CloudJobs = [LongOnDemand() with { Gpus = 4 }] });
        var alone = PlacementStrategies.Get(PlacementStrategies.Broker)
            .Place(new SnapshotBuilder().Node(Node, total: 8, idle: 4, model: "V100").Running(Node, 4, hoursLeft: 0.25).Build()
                with { CloudJobs = [LongOnDemand() with { Gpus = 4 }] });

        Assert.IsType<WaitDecision>(withQueue.Decisions.Single(d => d.JobId == "queued"));
        Assert.Empty(withQueue.Decisions.OfType<MigrationDecision>());
        Assert.Single(alone.Decisions.OfType<MigrationDecision>());
    }

    [Fact]
    public void A_gang_moves_onto_idle_nodes_of_one_pool_as_a_pending_gang_would()
    {
        var builder = new SnapshotBuilder().Node("g2-01", 8, 8, "V100").Node("g2-02", 8, 8, "V100").Node("g2-03", 8, 0, "V100")
            .Running("g2-03", 8, hoursLeft: 100);
        var gang = LongOnDemand() with { Gpus = 16, PricePerHour = 88.13m };

        var migration = Assert.Single(PlacementStrategies.Get(PlacementStrategies.Broker)
            .Place(builder.Build() with { CloudJobs = [gang] }).Decisions.OfType<MigrationDecision>());

        Assert.Equal(["g2-01", "g2-02"], migration.MemberNodes!);
        Assert.Equal(("g2-01", 16), (migration.Node, migration.Gpus));
        Assert.StartsWith("migrate to on-prem gang g2-01+g2-02: on-demand $88.13/h", migration.Explanation.Chosen, StringComparison.Ordinal);
    }

    [Fact]
    public void When_one_node_is_free_the_job_that_saves_the_most_moves()
    {
        var cheaper = LongOnDemand("cheaper") with { PricePerHour = 20m };
        var dearer = LongOnDemand("dearer");

        var migration = Assert.Single(Place([cheaper, dearer]).Decisions.OfType<MigrationDecision>());

        Assert.Equal("dearer", migration.JobId);
    }

    [Theory]
    [InlineData(PlacementStrategies.OnPremOnly)]
    [InlineData(PlacementStrategies.BurstOnDemand)]
    [InlineData(PlacementStrategies.CheapestFirst)]
    public void Baselines_never_migrate(string strategy)
    {
        Assert.Single(Place([LongOnDemand()]).Decisions.OfType<MigrationDecision>());
        Assert.Empty(Place([LongOnDemand()], strategy).Decisions.OfType<MigrationDecision>());
    }

    [Fact]
    public void The_decision_view_renders_a_migration()
    {
        var plan = Place([LongOnDemand()]);

        var view = DecisionView.From(plan.Decisions.OfType<MigrationDecision>().Single(), plan);

        Assert.Equal(("migrate", Node, "onprem", 4.8m), (view.Action, view.Node, view.Market, view.PricePerHour));
        Assert.StartsWith("migrate to on-prem g2-01", view.Chosen, StringComparison.Ordinal);
    }
}
