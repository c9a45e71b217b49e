using Broker.Core.Placement;
using Broker.Core.Scheduling;
using Broker.Core.Tests.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Scheduling;

/// <summary>What the live snapshot tells the on-prem timeline about running shared jobs (ADR 0011).</summary>
public sealed class SharedGpuTimelineTests
{
    /// <summary>
    /// A 4-GPU node: one whole-GPU job for 10 more hours, one GPU shared by three quarter-GPU jobs ending in 1, 2 and 3
    /// hours, two GPUs idle. A 4-GPU job can start only when the whole-GPU job ends, whatever the tenants do.
    /// </summary>
    [Fact]
    public void A_whole_node_job_waits_for_the_whole_gpu_job_not_for_the_first_tenant_of_a_shared_gpu()
    {
        var node = new OnPremNode("n1", "T4", 16, 4, 2, ShardsPerGpu: 4, SharedGpuShards: [3]);
        RunningOnPremJob[] running =
        [
            new("whole", "team-z", "n1", 1, Now.AddHours(10)),
            new("tenant-1", "team-z", "n1", 1, Now.AddHours(1)),
            new("tenant-2", "team-z", "n1", 1, Now.AddHours(2)),
            new("tenant-3", "team-z", "n1", 1, Now.AddHours(3)),
        ];
        var snapshot = new SnapshotBuilder().Node(node).Job(NewJob("four", gpus: 4, spot: false)).Build() with
        {
            RunningJobs = SharedGpuTimeline.Collapse(running, new HashSet<string> { "tenant-1", "tenant-2", "tenant-3" }, [node]),
        };

        var plan = PlacementStrategies.Get(PlacementStrategies.OnPremOnly).Place(snapshot);

        Assert.Equal(Now.AddHours(10), Decision<WaitDecision>(plan, "four").EstimatedOnPremStart);
    }

    [Fact]
    public void Each_shared_gpu_is_one_gpu_on_the_timeline_freeing_no_earlier_than_its_tenants()
    {
        // Two shared GPUs: tenants ending in 1 h and 5 h on one, 2 h on the other (which is which is unknown to the snapshot).
        var node = new OnPremNode("n1", "T4", 16, 4, 1, ShardsPerGpu: 4, SharedGpuShards: [2, 1]);
        RunningOnPremJob[] running =
        [
            new("a", "t", "n1", 1, Now.AddHours(1)),
            new("b", "t", "n1", 1, Now.AddHours(5)),
            new("c", "t", "n1", 1, Now.AddHours(2)),
            new("whole", "t", "n1", 1, Now.AddHours(4)),
        ];

        var timeline = SharedGpuTimeline.Collapse(running, new HashSet<string> { "a", "b", "c" }, [node]);

        var sharedEnds = timeline.Where(r => r.JobId != "whole").Select(r => r.ExpectedEnd).Order().ToArray();
        Assert.Equal(2, sharedEnds.Length);
        // The real per-GPU last ends are {2 h, 5 h} or {1 h, 5 h}: the timeline's are at least as late as either.
        Assert.True(sharedEnds[0] >= Now.AddHours(2) && sharedEnds[1] >= Now.AddHours(5));
        Assert.Contains(timeline, r => r.JobId == "whole" && r.Gpus == 1 && r.ExpectedEnd == Now.AddHours(4));
    }

    [Theory]
    [InlineData(2, 1.0)] // one shared GPU whose tenants are all known: three shards are free once the first ends, at 1 h
    [InlineData(3, 5.0)] // a shard in use that no known tenant explains: the GPU frees its shards only whole, at 5 h
    public void The_live_snapshot_lists_tenants_only_where_their_gpu_is_certain(int shardsInUse, double expectedHours)
    {
        var node = new OnPremNode("n1", "T4", 16, 1, 0, ShardsPerGpu: 4, SharedGpuShards: [shardsInUse]);
        RunningOnPremJob[] running = [new("tenant-1", "team-z", "n1", 1, Now.AddHours(1)), new("tenant-2", "team-z", "n1", 1, Now.AddHours(5))];
        var shares = new Dictionary<string, decimal> { ["tenant-1"] = 0.25m, ["tenant-2"] = 0.25m };
        var nodes = SharedGpuTimeline.WithTenants([node], running, shares);
        var snapshot = new SnapshotBuilder().Node(nodes[0]).Job(NewJob("most", spot: false) with { GpuShare = 0.75m }).Build() with
        {
            RunningJobs = SharedGpuTimeline.Collapse(running, shares.Keys.ToHashSet(), nodes),
        };

        var plan = PlacementStrategies.Get(PlacementStrategies.OnPremOnly).Place(snapshot);

        Assert.Equal(Now.AddHours(expectedHours), Decision<WaitDecision>(plan, "most").EstimatedOnPremStart);
    }

    [Fact]
    public void Tenants_are_not_guessed_on_a_node_with_several_shared_gpus()
    {
        // Slurm reports shards per GPU, not per job: which GPU each quarter is on is unknown.
        var node = new OnPremNode("n1", "T4", 16, 2, 0, ShardsPerGpu: 4, SharedGpuShards: [1, 1]);
        RunningOnPremJob[] running = [new("tenant-1", "team-z", "n1", 1, Now.AddHours(1)), new("tenant-2", "team-z", "n1", 1, Now.AddHours(5))];

        var nodes = SharedGpuTimeline.WithTenants([node], running, new Dictionary<string, decimal> { ["tenant-1"] = 0.25m, ["tenant-2"] = 0.25m });

        Assert.Null(nodes.Single().SharedTenants);
    }

    /// <summary>
    /// A 2-GPU node, both GPUs shared (4 shards each): GPU 0 holds a half ending in 1 h and a quarter ending in 5 h, GPU 1 a
    /// half ending in 2 h and a quarter ending in 6 h. A half-GPU job starts when a GPU whose tenants are all known frees two
    /// shards; a GPU whose tenants' GPU Slurm did not say frees its shards only whole.
    /// </summary>
    [Theory]
    [InlineData("both", 1.0)]
    [InlineData("second", 2.0)]
    [InlineData("none", 5.0)]
    public void On_a_node_with_several_shared_gpus_shards_free_tenant_by_tenant_where_each_tenants_gpu_is_known(string known, double expectedHours)
    {
        var node = new OnPremNode("n1", "T4", 16, 2, 0, ShardsPerGpu: 4, SharedGpuShards: [3, 3]);
        RunningOnPremJob[] running =
        [
            new("a", "t", "n1", 1, Now.AddHours(1)), new("b", "t", "n1", 1, Now.AddHours(5)),
            new("c", "t", "n1", 1, Now.AddHours(2)), new("d", "t", "n1", 1, Now.AddHours(6)),
        ];
        var shares = new Dictionary<string, decimal> { ["a"] = 0.5m, ["b"] = 0.25m, ["c"] = 0.5m, ["d"] = 0.25m };
        var gpuOf = known switch
        {
            "both" => new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 1, ["d"] = 1 },
            "second" => new Dictionary<string, int> { ["c"] = 1, ["d"] = 1 },
            _ => [],
        };

        var plan = PlaceOnPrem(node, running, shares, gpuOf, NewJob("half", spot: false) with { GpuShare = 0.5m });

        Assert.Equal(Now.AddHours(expectedHours), Decision<WaitDecision>(plan, "half").EstimatedOnPremStart);
    }

    /// <summary>
    /// A 2-GPU node, both shared: GPU 0's tenants end in 10 h and 9 h, GPU 1's in 2 h. Known per GPU, a whole-GPU job starts
    /// when GPU 1 frees; unknown, the timeline must take the two latest ends (10 h, 9 h).
    /// </summary>
    [Theory]
    [InlineData(true, 2.0)]
    [InlineData(false, 9.0)]
    public void A_whole_gpu_job_waits_for_the_shared_gpu_whose_own_tenants_end_first(bool known, double expectedHours)
    {
        var node = new OnPremNode("n1", "T4", 16, 2, 0, ShardsPerGpu: 4, SharedGpuShards: [2, 1]);
        RunningOnPremJob[] running =
            [new("e", "t", "n1", 1, Now.AddHours(10)), new("f", "t", "n1", 1, Now.AddHours(9)), new("g", "t", "n1", 1, Now.AddHours(2))];
        var shares = new Dictionary<string, decimal> { ["e"] = 0.25m, ["f"] = 0.25m, ["g"] = 0.25m };
        var gpuOf = known ? new Dictionary<string, int> { ["e"] = 0, ["f"] = 0, ["g"] = 1 } : [];

        var plan = PlaceOnPrem(node, running, shares, gpuOf, NewJob("whole", spot: false));

        Assert.Equal(Now.AddHours(expectedHours), Decision<WaitDecision>(plan, "whole").EstimatedOnPremStart);
    }

    [Fact]
    public void A_gpu_position_outside_the_nodes_shared_gpus_is_not_a_tenant()
    {
        var node = new OnPremNode("n1", "T4", 16, 2, 0, ShardsPerGpu: 4, SharedGpuShards: [1, 1]);
        RunningOnPremJob[] running = [new("a", "t", "n1", 1, Now.AddHours(1)), new("b", "t", "n1", 1, Now.AddHours(5))];

        var nodes = SharedGpuTimeline.WithTenants([node], running, new Dictionary<string, decimal> { ["a"] = 0.25m, ["b"] = 0.25m },
            new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });

        Assert.Equal([new SharedTenant(1, 1, Now.AddHours(1))], nodes.Single().SharedTenants!);
    }

    private static PlacementPlan PlaceOnPrem(OnPremNode node, RunningOnPremJob[] running, Dictionary<string, decimal> shares,
        Dictionary<string, int> gpuOf, PendingJob job)
    {
        var nodes = SharedGpuTimeline.WithTenants([node], running, shares, gpuOf);
        var snapshot = new SnapshotBuilder().Node(nodes[0]).Job(job).Build() with
        {
            RunningJobs = SharedGpuTimeline.Collapse(running, shares.Keys.ToHashSet(), nodes, gpuOf),
        };
        return PlacementStrategies.Get(PlacementStrategies.OnPremOnly).Place(snapshot);
    }
}
