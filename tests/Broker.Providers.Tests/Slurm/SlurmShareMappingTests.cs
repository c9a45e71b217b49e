using Broker.Core.Provisioning;
using Broker.Providers.Slurm;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Tests.Slurm;

/// <summary>Shards and MIG slices as slurmrestd reports them, and the GRES a shared or MIG job asks for.</summary>
public sealed class SlurmShareMappingTests
{
    private static SlurmNode Node(string gres, string used) => new("n1", "mixed", [], "", gres, used, 16, 128000, ["gpu"]);

    private static SlurmJob Job(long id, string state, string nodes, params string[] detail) => Named(id, "broker-x", state, nodes, detail);

    private static SlurmJob Named(long id, string name, string state, string nodes, params string[] detail) =>
        new(id, name, state, nodes, null, null, null, "gres:shard:1", GresDetail: detail);

    [Fact]
    public void Shards_in_use_come_from_running_jobs_gres_detail_by_gpu_index()
    {
        var byNode = SlurmNodeMapper.ShardGrants([
            Job(1, "RUNNING", "n1", "shard:1(IDX:0)"), Job(2, "RUNNING", "n1", "shard:l4:3(IDX:0)"), Job(3, "RUNNING", "n1", "shard:2(IDX:2)"),
            Job(4, "PENDING", "n1", "shard:2(IDX:1)"), Job(5, "COMPLETED", "n1", "shard:2(IDX:1)"), Job(6, "RUNNING", "n1", "gpu:a100:2(IDX:1-2)"),
            Job(7, "RUNNING", "n[1-2]", "shard:1(IDX:0)", "shard:1(IDX:0)"),
        ]);

        var info = SlurmNodeMapper.ToNodeInfo(Node("gpu:a100:4,shard:a100:16", "gpu:a100:2(IDX:1-2),shard:a100:2(IDX:0,2)"), byNode["n1"])!;

        Assert.Equal([4, 2], info.ShardsInUseByGpu!);
        Assert.Equal((16, 4, 6, 4, 2), (info.ShardTotal, info.ShardsPerGpu, info.ShardUsed, info.GpuTotal, info.GpuUsed));
    }

    [Theory]
    [InlineData("shard:1(IDX:0)", 1, 0)]
    [InlineData("shard:2(IDX:3)", 2, 3)]
    [InlineData("shard:l4:3(IDX:1)", 3, 1)]
    [InlineData("gpu:0,shard:a100:4(IDX:2)", 4, 2)]
    public void A_shared_jobs_gres_detail_gives_its_shards_and_its_gpu(string detail, int shards, int gpu) =>
        Assert.Equal((shards, gpu), ShardDetail.Parse(detail));

    [Theory]
    [InlineData("gpu:a100:1(IDX:0)")] // a whole GPU, no shards
    [InlineData("gpu:a100:2(IDX:0-1)")]
    [InlineData("shard:2(IDX:0-1)")] // no single GPU: unknown, not guessed
    [InlineData("shard:2(IDX:0,2)")]
    [InlineData("shard:0(IDX:N/A)")]
    [InlineData("hardshard:1(IDX:0)")]
    [InlineData("")]
    [InlineData(null)]
    public void A_detail_naming_no_single_gpu_with_shards_gives_none(string? detail) => Assert.Null(ShardDetail.Parse(detail));

    [Fact]
    public void Brokers_shared_jobs_are_placed_by_their_shared_gpu_not_slurms_gpu_index()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        var byNode = SlurmNodeMapper.ShardGrants([
            Named(1, SlurmJobNames.For(a), "RUNNING", "n1", "shard:a100:1(IDX:3)"), Named(2, SlurmJobNames.For(b), "RUNNING", "n1", "shard:a100:2(IDX:1)"),
            Named(3, "someone-elses", "RUNNING", "n1", "shard:a100:1(IDX:1)"), Named(4, SlurmJobNames.For(c), "RUNNING", "n1", "shard:a100:2(IDX:1-2)"),
        ]);

        var info = SlurmNodeMapper.ToNodeInfo(Node("gpu:a100:4,shard:a100:16", "gpu:a100:0(IDX:N/A),shard:a100:2(IDX:1,3)"), byNode["n1"])!;

        // GPUs 1 and 3 are shared: the engine's shared GPUs 0 and 1. Job c named no single GPU, and the third job is not Broker's.
        Assert.Equal([3, 1], info.ShardsInUseByGpu!);
        Assert.Equal([new ShardHolder(b, 0), new ShardHolder(a, 1)], info.ShardHolders!);
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
