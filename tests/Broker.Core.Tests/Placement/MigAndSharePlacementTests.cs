using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>MIG slices and shared GPUs in the pass (ADR 0011), with every strategy.</summary>
public sealed class MigAndSharePlacementTests
{
    public static TheoryData<string> AllStrategies => new(PlacementStrategies.Names);

    private static OnPremNode MigNode(string name, params MigRoom[] rooms) => new(name, "MIG", 80, 0, 0, Mig: rooms);

    private static OnPremNode Shareable(string name, int total, int idle, int shardsPerGpu, params int[] shared) =>
        new(name, "L4", 24, total, idle, ShardsPerGpu: shardsPerGpu, SharedGpuShards: shared);

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void A_mig_job_takes_one_slice_on_the_best_fitting_node_that_declares_its_profile(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node("whole", total: 4, idle: 4, model: "A100")
            .Node(MigNode("mig-roomy", new MigRoom("1g.10gb", 7, 7)))
            .Node(MigNode("mig-tight", new MigRoom("1g.10gb", 4, 2), new MigRoom("3g.40gb", 1, 1)))
            .Job(NewJob("whole-gpu"))
            .Job(NewJob("slice") with { MigProfile = "1g.10gb" })
            .Place(strategy);

        var slice = Decision<OnPremDecision>(plan, "slice");
        Assert.Equal(("mig-tight", 1, "1g.10gb"), (slice.Node, slice.Gpus, slice.GpuModel));
        Assert.Equal(Math.Round(Decision<OnPremDecision>(plan, "whole-gpu").CostPerHour / 7, 4), Math.Round(slice.CostPerHour, 4));
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void A_mig_job_is_never_placed_on_a_node_without_its_profile_nor_on_whole_gpus(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node("whole", total: 4, idle: 4, model: "A100")
            .Node(MigNode("mig", new MigRoom("1g.10gb", 4, 4)))
            .Job(NewJob("other-profile", spot: false) with { MigProfile = "2g.20gb" })
            .Place(strategy);

        var decision = plan.Decisions.Single();
        Assert.IsNotType<OnPremDecision>(decision);
        Assert.Contains(decision.Explanation.Rejected, r => r.Detail.Contains("no on-prem node declares MIG profile 2g.20gb", StringComparison.Ordinal));
    }

    [Fact]
    public void Mig_slices_are_never_over_committed()
    {
        var plan = new SnapshotBuilder()
            .Node(MigNode("mig", new MigRoom("3g.40gb", 2, 1)))
            .Job(NewJob("first") with { MigProfile = "3g.40gb" })
            .Job(NewJob("second", submittedMinutesAgo: -1) with { MigProfile = "3g.40gb" })
            .Place(PlacementStrategies.OnPremOnly);

        Assert.Equal("mig", Decision<OnPremDecision>(plan, "first").Node);
        var second = Decision<WaitDecision>(plan, "second");
        Assert.Contains(second.Explanation.Rejected, r => r.Detail.Contains("no free MIG slice 3g.40gb", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Shared_jobs_pack_onto_a_shared_gpu_first_so_a_whole_node_stays_free(string strategy)
    {
        // n1: one GPU already shared (2 of 4 shards used) and one idle; n2: a whole idle node.
        var plan = new SnapshotBuilder()
            .Node(Shareable("n1", total: 2, idle: 1, shardsPerGpu: 4, 2))
            .Node(Shareable("n2", total: 4, idle: 4, shardsPerGpu: 4))
            .Job(NewJob("quarter-a", models: ["L4"]) with { GpuShare = 0.25m })
            .Job(NewJob("quarter-b", models: ["L4"], submittedMinutesAgo: -1) with { GpuShare = 0.25m })
            .Job(NewJob("whole-one", models: ["L4"], submittedMinutesAgo: -2))
            .Job(NewJob("whole-four", gpus: 4, models: ["L4"], submittedMinutesAgo: -3))
            .Place(strategy);

        Assert.Equal(("n1", "n1"), (Decision<OnPremDecision>(plan, "quarter-a").Node, Decision<OnPremDecision>(plan, "quarter-b").Node));
        Assert.Equal("n1", Decision<OnPremDecision>(plan, "whole-one").Node);
        Assert.Equal("n2", Decision<OnPremDecision>(plan, "whole-four").Node);
    }

    [Fact]
    public void A_gpus_shards_are_never_over_committed_and_a_share_is_charged_rounded_up_to_shards()
    {
        // The only GPU has 1 of its 4 shards free: a half does not fit, a quarter does; 0.3 would take 2 shards (0.5).
        var plan = new SnapshotBuilder()
            .Node(Shareable("n1", total: 1, idle: 0, shardsPerGpu: 4, 3))
            .Node(Shareable("n2", total: 1, idle: 1, shardsPerGpu: 4))
            .Job(NewJob("half", models: ["L4"]) with { GpuShare = 0.5m })
            .Job(NewJob("quarter", models: ["L4"], submittedMinutesAgo: -1) with { GpuShare = 0.25m })
            .Job(NewJob("third", models: ["L4"], submittedMinutesAgo: -2) with { GpuShare = 0.3m })
            .Job(NewJob("whole", models: ["L4"], submittedMinutesAgo: -3))
            .Place(PlacementStrategies.OnPremOnly);

        var half = Decision<OnPremDecision>(plan, "half");
        var quarter = Decision<OnPremDecision>(plan, "quarter");
        var third = Decision<OnPremDecision>(plan, "third");
        Assert.Equal(("n2", "n1", "n2"), (half.Node, quarter.Node, third.Node));
        Assert.Equal(0.6m * 0.5m, third.CostPerHour);
        Assert.IsType<WaitDecision>(plan.Decisions.Single(d => d.JobId == "whole"));
    }
}
