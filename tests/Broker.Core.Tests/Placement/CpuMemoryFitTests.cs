using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>CPU cores and memory are part of what a node or an offer must hold, not only GPUs (issue 16).</summary>
public sealed class CpuMemoryFitTests
{
    public static TheoryData<string> AllStrategies => new(PlacementStrategies.Names);

    public static TheoryData<string> BurstingStrategies =>
        new(PlacementStrategies.BurstOnDemand, PlacementStrategies.CheapestFirst, PlacementStrategies.Broker);

    private static PendingJob Sized(string id, int cpus, int memoryGb, int gpus = 1) =>
        NewJob(id, gpus: gpus) with { CpuCores = cpus, MemoryGb = memoryGb };

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void The_best_fit_node_is_skipped_when_its_free_cpus_are_too_few(string strategy)
    {
        // n1 is the tighter GPU fit (1 idle of 4): a GPU-only placement picks it.
        SnapshotBuilder Cluster() => new SnapshotBuilder()
            .Node(new OnPremNode("n1", "T4", 16, 4, 1, FreeCpus: 2, FreeMemoryGb: 200))
            .Node(new OnPremNode("n2", "T4", 16, 4, 4, FreeCpus: 32, FreeMemoryGb: 200));

        var gpuOnly = Cluster().Job(Sized("small", cpus: 2, memoryGb: 8)).Place(strategy);
        var cpuHungry = Cluster().Job(Sized("big", cpus: 8, memoryGb: 8)).Place(strategy);

        Assert.Equal("n1", Decision<OnPremDecision>(gpuOnly, "small").Node);
        Assert.Equal("n2", Decision<OnPremDecision>(cpuHungry, "big").Node);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Two_jobs_do_not_share_memory_a_node_has_only_once(string strategy)
    {
        var plan = new SnapshotBuilder()
            .Node(new OnPremNode("n1", "T4", 16, 4, 4, FreeCpus: 32, FreeMemoryGb: 100))
            .Job(Sized("first", cpus: 4, memoryGb: 60))
            .Job(Sized("second", cpus: 4, memoryGb: 60))
            .Place(strategy);

        var onPrem = plan.Decisions.OfType<OnPremDecision>().ToList();
        Assert.Single(onPrem);
    }

    [Theory]
    [MemberData(nameof(BurstingStrategies))]
    public void A_cheaper_offer_without_the_memory_is_passed_over_with_the_reason(string strategy)
    {
        var small = NewOffer("small", onDemand: 0.5m, spot: null) with { VCpus = 8, MemoryGb = 32 };
        var large = NewOffer("large", onDemand: 2m, spot: null) with { VCpus = 48, MemoryGb = 192 };
        var plan = new SnapshotBuilder().Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 24)
            .Offer(small).Offer(large).Job(Sized("j", cpus: 16, memoryGb: 64)).Place(strategy);

        var cloud = Decision<CloudDecision>(plan, "j");
        Assert.Equal("large", cloud.Offer.InstanceType);
        Assert.Contains(cloud.Explanation.Rejected, r => r.Reason == RejectionReason.Constraint && r.Detail.Contains("32 GB memory"));
    }
}
