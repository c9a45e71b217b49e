using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Tests.Slurm;

public sealed class SlurmMappingTests
{
    private static SlurmNode Node(string gres, string used, string state = "mixed", params string[] flags) =>
        new("gpu-h100-1", state, flags, "", gres, used, 32, 256000, ["gpu"]);

    [Fact]
    public void Node_reports_normalized_model_and_gpu_counts()
    {
        var info = SlurmNodeMapper.ToNodeInfo(Node("gpu:h100:8", "gpu:h100:6(IDX:0-5)"));

        Assert.Equal(new OnPremNodeInfo("gpu-h100-1", GpuModels.H100_80GB, 8, 6, OnPremNodeState.Mixed, 32, 256000), info);
        Assert.Equal(2, info!.GpuIdle);
    }

    [Fact]
    public void Drained_node_keeps_its_gpus_but_is_not_schedulable()
    {
        var info = SlurmNodeMapper.ToNodeInfo(Node("gpu:l4:4", "gpu:l4:0(IDX:N/A)", "idle", "DRAIN"))!;

        Assert.Equal((4, OnPremNodeState.Drained, false), (info.GpuTotal, info.State, info.IsSchedulable));
    }

    [Fact]
    public void Node_with_several_gpu_types_is_reported_by_its_largest_type()
    {
        var info = SlurmNodeMapper.ToNodeInfo(Node("gpu:a100:2(S:0),gpu:h100:4(S:1),nic:1", "gpu:a100:2(IDX:0-1),gpu:h100:1(IDX:2)"))!;

        Assert.Equal((GpuModels.H100_80GB, 4, 1), (info.GpuModel, info.GpuTotal, info.GpuUsed));
    }

    [Fact]
    public void Node_without_gpus_is_left_out() => Assert.Null(SlurmNodeMapper.ToNodeInfo(Node("(null)", "")));

    [Fact]
    public void Pending_job_has_no_times_or_exit_code_even_when_slurm_estimates_them()
    {
        var job = new SlurmJob(7, "broker-x", "PENDING", "", 1_800_000_000, 1_800_000_600, 0, null);

        var status = SlurmJobMapper.ToStatus(job, Guid.Empty);

        Assert.Equal(new OnPremJobStatus("7", Guid.Empty, OnPremJobState.Pending, null, null, null, null), status);
    }

    [Fact]
    public void Finished_job_reports_node_times_and_exit_code()
    {
        var job = new SlurmJob(8, "broker-x", "FAILED", "gpu-h100-1", 1_800_000_000, 1_800_000_003, 768, null);

        var status = SlurmJobMapper.ToStatus(job, Guid.Empty);

        Assert.Equal((OnPremJobState.Failed, "gpu-h100-1", 3), (status.State, status.Node, status.ExitCode));
        Assert.Equal(TimeSpan.FromSeconds(3), status.EndedAt - status.StartedAt);
    }
}
