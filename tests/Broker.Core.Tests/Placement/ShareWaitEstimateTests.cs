using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>Wait estimates of shared jobs (ADR 0011): shards freeing on a shared GPU count, and only shardable nodes count.</summary>
public sealed class ShareWaitEstimateTests
{
    /// <summary>One L4 cut into 4 shards, fully shared by tenants "shards@hours-left" (the GPU frees whole when the last ends).</summary>
    private static SnapshotBuilder SharedGpu(string tenants)
    {
        var list = tenants.Split(' ').Select(t => t.Split('@')).Select(p => (Shards: int.Parse(p[0]), Hours: double.Parse(p[1]))).ToList();
        var node = new OnPremNode("n1", "L4", 24, 1, 0, ShardsPerGpu: 4, SharedGpuShards: [list.Sum(t => t.Shards)],
            SharedTenants: [.. list.Select(t => new SharedTenant(0, t.Shards, Now.AddHours(t.Hours)))]);
        return new SnapshotBuilder().Node(node).Running("n1", 1, list.Max(t => t.Hours));
    }

    [Theory]
    [InlineData("2@1 2@5", 0.5, 1)]     // half the GPU frees after one hour
    [InlineData("2@1 2@5", 0.75, 5)]    // three shards are free only when the GPU frees whole
    [InlineData("1@1 1@2 2@5", 0.5, 2)] // two shards free only once the second tenant ends
    [InlineData("3@0.5 1@5", 0.25, 0.5)]
    public void A_shared_job_is_expected_when_enough_shards_free_on_a_shared_gpu(string tenants, double share, double expectedHours)
    {
        var plan = SharedGpu(tenants).Job(NewJob("shared", models: ["L4"]) with { GpuShare = (decimal)share }).Place(PlacementStrategies.OnPremOnly);

        Assert.Equal(Now.AddHours(expectedHours), Decision<WaitDecision>(plan, "shared").EstimatedOnPremStart);
    }

    [Theory]
    [InlineData(0.5, 0.5, 1, 3)]   // the first takes the two shards freeing at 1 h until 3 h; the second waits for it
    [InlineData(0.25, 0.25, 1, 1)] // both fit in the two shards freeing at 1 h
    [InlineData(0.5, 0.75, 1, 5)]  // three shards: only when the GPU frees whole
    public void Queued_shared_jobs_never_over_commit_a_gpu(double first, double second, double firstHours, double secondHours)
    {
        var plan = SharedGpu("2@1 2@5")
            .Job(NewJob("first", models: ["L4"]) with { GpuShare = (decimal)first })
            .Job(NewJob("second", models: ["L4"], submittedMinutesAgo: -1) with { GpuShare = (decimal)second })
            .Place(PlacementStrategies.OnPremOnly);

        Assert.Equal(Now.AddHours(firstHours), Decision<WaitDecision>(plan, "first").EstimatedOnPremStart);
        Assert.Equal(Now.AddHours(secondHours), Decision<WaitDecision>(plan, "second").EstimatedOnPremStart);
    }

    [Fact]
    public void A_shared_tenant_queued_past_the_gpus_last_end_keeps_a_whole_gpu_job_off_it()
    {
        // The quarter joins at 1 h and runs 6 h, so the GPU frees whole at 7 h, not at 5 h.
        var plan = SharedGpu("2@1 2@5")
            .Job(NewJob("quarter", models: ["L4"], hours: 6) with { GpuShare = 0.25m })
            .Job(NewJob("whole", models: ["L4"], submittedMinutesAgo: -1))
            .Place(PlacementStrategies.OnPremOnly);

        Assert.Equal(Now.AddHours(1), Decision<WaitDecision>(plan, "quarter").EstimatedOnPremStart);
        Assert.Equal(Now.AddHours(7), Decision<WaitDecision>(plan, "whole").EstimatedOnPremStart);
    }

    [Theory]
    [InlineData(true, 4.0)]   // a shardable node frees in 4 h; the plain one (1 h) can never take the job
    [InlineData(false, null)] // no shardable node: no on-prem estimate at all
    public void A_shared_job_is_estimated_only_on_nodes_that_can_share_a_gpu(bool withShardable, double? expectedHours)
    {
        var builder = new SnapshotBuilder().Node(new OnPremNode("plain", "L4", 24, 1, 0)).Running("plain", 1, 1);
        if (withShardable)
        {
            builder.Node(new OnPremNode("shardable", "L4", 24, 1, 0, ShardsPerGpu: 4)).Running("shardable", 1, 4);
        }
        var plan = builder.Job(NewJob("shared", models: ["L4"]) with { GpuShare = 0.25m }).Place(PlacementStrategies.OnPremOnly);

        var wait = Decision<WaitDecision>(plan, "shared");
        Assert.Equal(expectedHours is { } h ? Now.AddHours(h) : null, wait.EstimatedOnPremStart);
        if (!withShardable)
        {
            Assert.Contains(wait.Explanation.Rejected, r => r.Detail.Contains("can share a GPU", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Two one-GPU nodes, fully shared, cut into 4 and into 1000 shards ("shards@hours-left" tenants on each): the quarter-GPU
    /// job is expected on the GPU left with the least of a GPU free once it joins, whatever the shard counts.
    /// </summary>
    [Theory]
    [InlineData("2@1 2@5", "400@1 600@5", "fine")]   // at 1 h: 0.25 of the coarse GPU left, 0.15 of the fine one
    [InlineData("1@1 3@5", "400@1 600@5", "coarse")] // at 1 h: the coarse GPU is left full, the fine one 0.15 free
    [InlineData("2@1 2@5", "200@1 800@5", "coarse")] // at 1 h: the fine GPU has too few shards; the coarse one fits
    public void A_shared_job_is_expected_on_the_best_fit_gpu_as_a_part_of_a_gpu_not_in_shards(string coarse, string fine, string expectedNode)
    {
        var builder = new SnapshotBuilder();
        foreach (var (name, shardsPerGpu, tenants) in new[] { ("coarse", 4, coarse), ("fine", 1000, fine) })
        {
            var list = tenants.Split(' ').Select(t => t.Split('@')).Select(p => (Shards: int.Parse(p[0]), Hours: double.Parse(p[1]))).ToList();
            builder.Node(new OnPremNode(name, "L4", 24, 1, 0, ShardsPerGpu: shardsPerGpu, SharedGpuShards: [list.Sum(t => t.Shards)],
                SharedTenants: [.. list.Select(t => new SharedTenant(0, t.Shards, Now.AddHours(t.Hours)))])).Running(name, 1, list.Max(t => t.Hours));
        }

        var plan = builder.Job(NewJob("quarter", models: ["L4"]) with { GpuShare = 0.25m }).Place(PlacementStrategies.OnPremOnly);

        var wait = Decision<WaitDecision>(plan, "quarter");
        Assert.Equal(Now.AddHours(1), wait.EstimatedOnPremStart);
        Assert.Contains(wait.Explanation.Rejected, r => r.Detail.Contains($"expected on {expectedNode} ", StringComparison.Ordinal));
    }
}
