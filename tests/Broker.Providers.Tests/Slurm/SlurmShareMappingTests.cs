using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Tests.Slurm;

/// <summary>Shards and MIG slices as slurmrestd reports them, and the GRES a shared or MIG job asks for.</summary>
public sealed class SlurmShareMappingTests
{
    private static SlurmNode Node(string gres, string used) => new("n1", "mixed", [], "", gres, used, 16, 128000, ["gpu"]);

    private static SlurmJob Job(long id, string state, string nodes, params string[] detail) =>
        new(id, "broker-x", state, nodes, null, null, null, "gres:shard:1", GresDetail: detail);

    [Fact]
    public void Shards_in_use_come_from_running_jobs_gres_detail_by_gpu_index()
    {
        var byNode = SlurmNodeMapper.ShardsInUse([
            Job(1, "RUNNING", "n1", "shard:1(IDX:0)"), Job(2, "RUNNING", "n1", "shard:l4:3(IDX:0)"), Job(3, "RUNNING", "n1", "shard:2(IDX:2)"),
            Job(4, "PENDING", "n1", "shard:2(IDX:1)"), Job(5, "COMPLETED", "n1", "shard:2(IDX:1)"), Job(6, "RUNNING", "n1", "gpu:a100:2(IDX:1-2)"),
            Job(7, "RUNNING", "n[1-2]", "shard:1(IDX:0)", "shard:1(IDX:0)"),
        ]);

        var info = SlurmNodeMapper.ToNodeInfo(Node("gpu:a100:4,shard:a100:16", "gpu:a100:2(IDX:1-2),shard:a100:2(IDX:0,2)"), byNode["n1"])!;

        Assert.Equal([4, 2], info.ShardsInUseByGpu!);
        Assert.Equal((16, 4, 6, 4, 2), (info.ShardTotal, info.ShardsPerGpu, info.ShardUsed, info.GpuTotal, info.GpuUsed));
    }

    [Fact]
    public void A_mig_only_node_has_slices_and_no_whole_gpus()
    {
        var info = SlurmNodeMapper.ToNodeInfo(Node("gpu:1g.10gb:4,gpu:3g.40gb:1", "gpu:1g.10gb:1(IDX:0),gpu:3g.40gb:0(IDX:N/A)"))!;

        Assert.Equal((SlurmNodeMapper.MigGpuModel, 0, 0), (info.GpuModel, info.GpuTotal, info.GpuIdle));
        Assert.Equal([new MigSlices("1g.10gb", 4, 1), new MigSlices("3g.40gb", 1, 0)], info.Mig!);
    }

    private static OnPremJobRequest Request(decimal? share = null, string? mig = null, int gpus = 1) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "n1", "a100", gpus, TimeSpan.FromMinutes(5), "true", new Dictionary<string, string>(),
            "broker-vision", null, "/tmp/teams/broker-vision", share, mig);

    [Theory]
    [InlineData(0.25, 4, 1)]
    [InlineData(0.3, 4, 2)]
    [InlineData(0.3, 8, 3)]
    [InlineData(0.99, 4, 4)]
    public void A_share_takes_its_rounded_up_shards_of_the_node(double share, int shardsPerGpu, int shards)
    {
        var gres = GresParser.Parse($"gpu:a100:4,shard:a100:{4 * shardsPerGpu}");

        Assert.Equal(shards, SlurmSubmissionBuilder.ShardsFor(gres, (decimal)share));
        Assert.Equal($"shard:{shards}", SlurmSubmissionBuilder.Gres(Request((decimal)share), "", shards));
    }

    [Fact]
    public void A_node_without_shards_gives_no_shards() =>
        Assert.Equal(0, SlurmSubmissionBuilder.ShardsFor(GresParser.Parse("gpu:a100:4"), 0.5m));

    [Fact]
    public void A_mig_job_asks_for_one_slice_of_its_profile_and_a_hostile_profile_never_reaches_slurm()
    {
        Assert.Equal("gpu:1g.10gb:1", SlurmSubmissionBuilder.Gres(Request(mig: "1g.10gb"), "", 0));
        Assert.Throws<ArgumentException>(() => SlurmSubmissionBuilder.Gres(Request(mig: "1g.10gb,gpu:h100:8"), "", 0));
        Assert.Throws<ArgumentException>(() => SlurmSubmissionBuilder.Gres(Request(mig: "1g.10gb", gpus: 2), "", 0));
        Assert.Equal("gpu:a100:2", SlurmSubmissionBuilder.Gres(Request(gpus: 2), "a100", 0));
    }
}
