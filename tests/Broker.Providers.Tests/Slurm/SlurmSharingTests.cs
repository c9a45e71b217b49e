using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Testing;

namespace Broker.Providers.Tests.Slurm;

/// <summary>
/// Real Slurm 22.05 gres/shard and MIG GRES on the local cluster (scripts/slurm.sh): Slurm itself packs shared jobs onto one
/// GPU, never gives a GPU more than its shards, and runs a MIG job only where that profile exists.
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmSharingTests(SlurmClusterFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private OnPremJobRequest Request(string node, decimal? share = null, string? mig = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), node, mig is null ? "a100" : "", 1, TimeSpan.FromSeconds(120), "sleep 60",
            new Dictionary<string, string>(), SlurmServer.TeamUserA, null, fixture.TeamDirectory(SlurmServer.TeamUserA), share, mig);

    [Fact]
    public async Task Four_quarter_gpu_jobs_share_one_gpu_and_a_larger_share_opens_the_next()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var quarters = Enumerable.Range(0, 4).Select(_ => Request("gpu-a100-1", share: 0.25m)).ToList();
        var larger = Request("gpu-a100-1", share: 0.6m);
        try
        {
            foreach (var request in quarters)
            {
                await slurm.Cluster.SubmitAsync(request, None);
            }
            await RunningAsync(slurm, quarters);

            var packed = await slurm.Cluster.GetInventoryAsync(None);
            // One GPU holds all four (4 shards of 4); Slurm did not spread them over the node's 4 GPUs.
            Assert.Equal([4], packed.Nodes.Single(n => n.Name == "gpu-a100-1").ShardsInUseByGpu!);

            await slurm.Cluster.SubmitAsync(larger, None);
            await RunningAsync(slurm, [larger]);
            var after = await slurm.Cluster.GetInventoryAsync(None);
            // 0.6 of a GPU cut into 4 is rounded up to 3 shards, on a second GPU.
            Assert.Equal([4, 3], after.Nodes.Single(n => n.Name == "gpu-a100-1").ShardsInUseByGpu!);
        }
        finally
        {
            await CancelAsync(slurm, [.. quarters, larger]);
        }
    }

    [Fact]
    public async Task A_gpu_never_runs_more_than_its_shards_and_one_job_never_spans_gpus()
    {
        using var slurm = new SlurmTestCluster(fixture);
        // 3 shards of 4 each: one per GPU; the fifth would need shards from two GPUs (1 + 1 + 1 + 1 free) and must wait.
        var jobs = Enumerable.Range(0, 5).Select(_ => Request("gpu-a100-2", share: 0.75m)).ToList();
        try
        {
            foreach (var request in jobs)
            {
                await slurm.Cluster.SubmitAsync(request, None);
            }
            await RunningAsync(slurm, jobs[..4]);
            var inventory = await slurm.Cluster.GetInventoryAsync(None);
            Assert.Equal([3, 3, 3, 3], inventory.Nodes.Single(n => n.Name == "gpu-a100-2").ShardsInUseByGpu!);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(OnPremJobState.Pending, (await slurm.Cluster.GetJobAsync(jobs[4].AllocationId, None))!.State);
        }
        finally
        {
            await CancelAsync(slurm, jobs);
        }
    }

    [Fact]
    public async Task Two_shared_jobs_on_two_shared_gpus_of_a_node_report_which_gpu_each_holds()
    {
        using var slurm = new SlurmTestCluster(fixture);
        // 3 shards of 4 each: the second cannot join the first's GPU (1 shard left), so it opens another.
        var first = Request("gpu-a100-1", share: 0.75m);
        var second = Request("gpu-a100-1", share: 0.5m);
        try
        {
            await slurm.Cluster.SubmitAsync(first, None);
            await RunningAsync(slurm, [first]);
            await slurm.Cluster.SubmitAsync(second, None);
            await RunningAsync(slurm, [second]);

            var node = (await slurm.Cluster.GetInventoryAsync(None)).Nodes.Single(n => n.Name == "gpu-a100-1");

            Assert.Equal(2, node.ShardsInUseByGpu!.Count);
            var holders = node.ShardHolders!.ToDictionary(h => h.AllocationId, h => h.SharedGpu);
            Assert.Equal(2, holders.Count);
            Assert.NotEqual(holders[first.AllocationId], holders[second.AllocationId]);
            Assert.Equal(3, node.ShardsInUseByGpu[holders[first.AllocationId]]);
            Assert.Equal(2, node.ShardsInUseByGpu[holders[second.AllocationId]]);
        }
        finally
        {
            await CancelAsync(slurm, [first, second]);
        }
    }

    [Fact]
    public async Task A_mig_job_runs_in_a_slice_of_the_mig_node_and_no_other_node_has_that_profile()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var onMig = Request("gpu-a100mig-1", mig: "1g.10gb");
        var elsewhere = Request("gpu-a100-1", mig: "1g.10gb");
        try
        {
            await slurm.Cluster.SubmitAsync(onMig, None);
            var running = await RunningAsync(slurm, [onMig]);
            Assert.Equal("gpu-a100mig-1", running.Single().Node);
            var inventory = await slurm.Cluster.GetInventoryAsync(None);
            Assert.Equal(1, inventory.Nodes.Single(n => n.Name == "gpu-a100mig-1").Mig!.Single(s => s.Profile == "1g.10gb").Used);

            // Slurm itself refuses the profile on a node without it (the adapter reports it as the cluster refusing).
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => slurm.Cluster.SubmitAsync(elsewhere, None));
            Assert.Contains("Requested node configuration is not available", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await CancelAsync(slurm, [onMig, elsewhere]);
        }
    }

    // Slurm's main scheduling loop runs every 60 s by default: a job submitted while the node still finished an earlier
    // test's cancelled jobs may wait one full cycle on a loaded machine before it starts.
    private const int SchedulingCycleSeconds = 90;

    private static async Task<List<OnPremJobStatus>> RunningAsync(SlurmTestCluster slurm, IReadOnlyList<OnPremJobRequest> requests)
    {
        var running = new List<OnPremJobStatus>();
        foreach (var request in requests)
        {
            running.Add((await Eventually.ReachAsync(() => slurm.Cluster.GetJobAsync(request.AllocationId, None),
                job => job?.State == OnPremJobState.Running, $"allocation {request.AllocationId} to run", seconds: SchedulingCycleSeconds))!);
        }
        return running;
    }

    private static async Task CancelAsync(SlurmTestCluster slurm, IEnumerable<OnPremJobRequest> requests)
    {
        foreach (var request in requests)
        {
            await slurm.Cluster.CancelAsync(request.AllocationId, None);
        }
    }
}
