using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Testing;

namespace Broker.Providers.Tests.Slurm;

[Collection(SlurmCollection.Name)]
public sealed class SlurmClusterTests(SlurmClusterFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private OnPremJobRequest Request(Guid allocationId, string node, string gpuType, int gpus, string script,
        IReadOnlyDictionary<string, string>? environment = null) =>
        new(allocationId, Guid.NewGuid(), node, gpuType, gpus, TimeSpan.FromSeconds(90), script, environment ?? new Dictionary<string, string>(),
            SlurmServer.TeamUserA, null, fixture.TeamDirectory(SlurmServer.TeamUserA));

    [Fact]
    public async Task Inventory_shows_the_configured_gpus()
    {
        using var slurm = new SlurmTestCluster(fixture);

        var inventory = await slurm.Cluster.GetInventoryAsync(None);

        Assert.True(inventory.Available, inventory.UnavailableReason);
        var byNode = inventory.Nodes.ToDictionary(n => n.Name);
        Assert.Equal((GpuModels.H100_80GB, 8), (byNode["gpu-h100-1"].GpuModel, byNode["gpu-h100-1"].GpuTotal));
        Assert.Equal((GpuModels.H100_80GB, 8), (byNode["gpu-h100-2"].GpuModel, byNode["gpu-h100-2"].GpuTotal));
        Assert.Equal((GpuModels.A100_40GB, 4), (byNode["gpu-a100-1"].GpuModel, byNode["gpu-a100-1"].GpuTotal));
        Assert.Equal((GpuModels.A100_40GB, 4), (byNode["gpu-a100-2"].GpuModel, byNode["gpu-a100-2"].GpuTotal));
        Assert.Equal((GpuModels.L4, 4), (byNode["gpu-l4-1"].GpuModel, byNode["gpu-l4-1"].GpuTotal));
        Assert.Equal((8, 4, 4), (byNode["gpu-h100-1"].ShardsPerGpu, byNode["gpu-a100-1"].ShardsPerGpu, byNode["gpu-l4-1"].ShardsPerGpu));
        // The MIG node has no whole GPUs (whole-GPU jobs never go there), only its slices.
        var mig = byNode["gpu-a100mig-1"];
        Assert.Equal(0, mig.GpuTotal);
        Assert.Equal(["1g.10gb:4", "3g.40gb:1"], mig.Mig!.Select(s => $"{s.Profile}:{s.Total}"));
        Assert.Equal(6, inventory.Nodes.Count);
        Assert.All(inventory.Nodes, n => Assert.True(n.Cpus > 0 && n.MemoryMb > 0));
    }

    [Fact]
    public async Task Two_gpu_job_shows_in_gres_used_runs_with_broker_environment_and_completes()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var allocationId = Guid.NewGuid();
        var marker = Path.Combine(Path.GetTempPath(), $"broker-slurm-test-{allocationId}.txt");
        var request = Request(allocationId, "gpu-h100-2", GpuModels.H100_80GB, 2,
            $"echo \"$BROKER_ALLOCATION_ID $BROKER_JOB_ID $TEAM\" > {marker}\nsleep 3",
            new Dictionary<string, string> { ["TEAM"] = "vision" });

        var submitted = await slurm.Cluster.SubmitAsync(request, None);

        await Eventually.ReachAsync(() => slurm.Cluster.GetInventoryAsync(None),
            inv => inv.Nodes.Single(n => n.Name == "gpu-h100-2").GpuUsed == 2, "2 GPUs in use on gpu-h100-2");
        var done = await Eventually.ReachAsync(() => slurm.Cluster.GetJobAsync(allocationId, None),
            job => job?.State == OnPremJobState.Completed, "the job to complete");
        Assert.Equal((submitted.ClusterJobId, "gpu-h100-2", 0), (done!.ClusterJobId, done.Node, done.ExitCode));
        Assert.True(done.StartedAt <= done.EndedAt);
        Assert.Equal($"{allocationId} {request.JobId} vision", (await File.ReadAllTextAsync(marker)).Trim());
        File.Delete(marker);
        await Eventually.ReachAsync(() => slurm.Cluster.GetInventoryAsync(None),
            inv => inv.Nodes.Single(n => n.Name == "gpu-h100-2").GpuUsed == 0, "the GPUs to be released");
    }

    [Fact]
    public async Task Failing_script_reports_failed_with_its_exit_code()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var allocationId = Guid.NewGuid();

        await slurm.Cluster.SubmitAsync(Request(allocationId, "gpu-h100-1", "h100", 1, "exit 3"), None);

        var done = await Eventually.ReachAsync(() => slurm.Cluster.GetJobAsync(allocationId, None),
            job => job?.State is OnPremJobState.Failed or OnPremJobState.Completed, "the job to finish");
        Assert.Equal((OnPremJobState.Failed, 3), (done!.State, done.ExitCode));
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_repeating_it_or_cancelling_unknown_allocations_succeeds()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var allocationId = Guid.NewGuid();
        await slurm.Cluster.SubmitAsync(Request(allocationId, "gpu-a100-2", "a100", 1, "sleep 60"), None);
        await Eventually.ReachAsync(() => slurm.Cluster.GetJobAsync(allocationId, None),
            job => job?.State == OnPremJobState.Running, "the job to run");

        await slurm.Cluster.CancelAsync(allocationId, None);

        var cancelled = await Eventually.ReachAsync(() => slurm.Cluster.GetJobAsync(allocationId, None),
            job => job?.State == OnPremJobState.Cancelled, "the job to be cancelled");
        Assert.NotNull(cancelled!.EndedAt);
        await slurm.Cluster.CancelAsync(allocationId, None);
        await slurm.Cluster.CancelAsync(Guid.NewGuid(), None);
        Assert.Null(await slurm.Cluster.GetJobAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Repeated_submit_for_one_allocation_returns_the_first_job()
    {
        using var first = new SlurmTestCluster(fixture);
        using var restarted = new SlurmTestCluster(fixture);
        var request = Request(Guid.NewGuid(), "gpu-a100-1", "a100", 1, "sleep 2");

        var a = await first.Cluster.SubmitAsync(request, None);
        var b = await first.Cluster.SubmitAsync(request, None);
        var c = await restarted.Cluster.SubmitAsync(request with { JobId = Guid.NewGuid() }, None);

        Assert.Equal(a.ClusterJobId, b.ClusterJobId);
        Assert.Equal(a.ClusterJobId, c.ClusterJobId);
        Assert.Single(await first.JobsOfAsync(request.AllocationId));
    }

    [Fact]
    public async Task Racing_submits_in_one_process_create_exactly_one_job()
    {
        using var slurm = new SlurmTestCluster(fixture);
        var request = Request(Guid.NewGuid(), "gpu-a100-1", "a100", 1, "sleep 2");

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => slurm.Cluster.SubmitAsync(request, None)));

        Assert.Single(results.Select(r => r.ClusterJobId).Distinct());
        Assert.Single(await slurm.JobsOfAsync(request.AllocationId));
    }

    [Fact]
    public async Task Racing_submits_from_two_replicas_converge_on_one_live_job()
    {
        using var replicaA = new SlurmTestCluster(fixture);
        using var replicaB = new SlurmTestCluster(fixture);
        var request = Request(Guid.NewGuid(), "gpu-a100-1", "a100", 1, "sleep 2");

        var results = await Task.WhenAll(replicaA.Cluster.SubmitAsync(request, None), replicaB.Cluster.SubmitAsync(request, None));

        Assert.Equal(results[0].ClusterJobId, results[1].ClusterJobId);
        // The losing replica's duplicate passes through COMPLETING before CANCELLED; under load that can take seconds.
        var jobs = await Eventually.ReachAsync(() => replicaA.JobsOfAsync(request.AllocationId),
            found => found.All(j => j.JobState != "COMPLETING"), "no job of the allocation still completing");
        var live = Assert.Single(jobs, j => j.JobState != "CANCELLED");
        Assert.Equal(jobs.Min(j => j.JobId).ToString(System.Globalization.CultureInfo.InvariantCulture), results[0].ClusterJobId);
        Assert.Equal(live.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), results[0].ClusterJobId);
    }
}
