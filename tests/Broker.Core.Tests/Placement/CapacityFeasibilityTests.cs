using Broker.Core.Placement;

namespace Broker.Core.Tests.Placement;

public sealed class CapacityFeasibilityTests
{
    private static readonly CapacityUnit[] LocalSite =
    [
        new("h100-a", true, "H100-80GB", 80, 8), new("h100-b", true, "H100-80GB", 80, 8),
        new("a100-a", true, "A100-40GB", 40, 4), new("a100-b", true, "A100-40GB", 40, 4),
        new("l4-a", true, "L4", 24, 4),
        new("aws/us-east-1/a/p5.48xlarge", false, "H100-80GB", 80, 8),
        new("gcp/us-central1/b/g2-standard-8", false, "L4", 24, 1),
    ];

    public static TheoryData<int, string[], int, bool, string?> Cases => new()
    {
        { 8, ["H100-80GB"], 0, true, null },
        { 16, ["H100-80GB"], 0, true, null },
        { 12, ["H100-80GB"], 0, true, null },
        { 24, ["H100-80GB"], 0, true, null },
        { 136, ["H100-80GB"], 0, false, "gpu.count" },
        { 17, ["H100-80GB"], 0, false, "gpu.count" },
        { 8, ["A100-40GB"], 0, true, null },
        { 9, ["A100-40GB"], 0, false, "gpu.count" },
        { 20, [], 0, false, "gpu.count" },
        { 1, ["B200"], 0, false, "gpu.models" },
        { 1, ["L4"], 48, false, "gpu.minMemoryGb" },
        { 16, [], 80, true, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refuses_exactly_the_requests_no_node_set_or_instance_could_hold(int count, string[] models, int minMemoryGb,
        bool feasible, string? field)
    {
        var verdict = CapacityFeasibility.Check(new GpuRequestShape(count, models, minMemoryGb), LocalSite);

        Assert.Equal(feasible, verdict.Feasible);
        Assert.Equal(field, verdict.Field);
        Assert.Equal(feasible, verdict.Options.Count > 0);
        Assert.False(string.IsNullOrWhiteSpace(verdict.Reason));
    }

    [Fact]
    public void A_gang_is_named_with_its_member_count_and_share_and_never_mixes_models()
    {
        var verdict = CapacityFeasibility.Check(new GpuRequestShape(12, [], 0), LocalSite);

        // 12 = 2 x 6 on the H100 nodes, or 3 x 4 over A100+L4 nodes, which would mix models: only the first is offered on-prem.
        // In the cloud no H100 instance size divides 12 (8 does not), the 1-GPU L4 instances do (12 of them).
        Assert.Equal(["on-prem gang of 2 H100-80GB nodes x 6 GPUs", "cloud gang of 12 x gcp/us-central1/b/g2-standard-8 (1 L4 GPUs each)"], verdict.Options);
    }

    [Fact]
    public void A_cloud_gang_takes_the_largest_instance_that_splits_the_job_into_at_most_16_members()
    {
        Assert.Equal(["cloud gang of 3 x aws/us-east-1/a/p5.48xlarge (8 H100-80GB GPUs each)"],
            CapacityFeasibility.Check(new GpuRequestShape(24, ["H100-80GB"], 0), LocalSite).Options);
        Assert.False(CapacityFeasibility.Check(new GpuRequestShape(17, ["L4"], 0), LocalSite).Feasible);
    }

    [Fact]
    public void Gang_shape_takes_the_fewest_members_with_an_equal_share_each()
    {
        Assert.Equal(new GangShape(1, 4), GangShape.Fit(4, [8, 8], 16));
        Assert.Equal(new GangShape(2, 8), GangShape.Fit(16, [8, 8, 4], 16));
        Assert.Equal(new GangShape(3, 4), GangShape.Fit(12, [4, 4, 4, 2], 16));
        Assert.Null(GangShape.Fit(12, [8, 4, 2], 16));
        Assert.Null(GangShape.Fit(16, [8, 8], 1));
    }

    [Theory]
    [InlineData(0, false, false, "gpu.share")] // only a plain on-prem node, no cloud: it could never run
    [InlineData(4, false, true, null)]         // a shardable on-prem node
    [InlineData(0, true, true, null)]          // a plain node, but a one-GPU cloud instance fits
    public void A_shared_job_counts_only_nodes_that_can_share_a_gpu(int shardsPerGpu, bool withCloud, bool feasible, string? field)
    {
        List<CapacityUnit> site = [new("l4-a", true, "L4", 24, 4, shardsPerGpu)];
        if (withCloud)
        {
            site.Add(new("gcp/us-central1/b/g2-standard-8", false, "L4", 24, 1));
        }

        var verdict = CapacityFeasibility.Check(new GpuRequestShape(1, ["L4"], 0, Shared: true), site);

        Assert.Equal((feasible, field), (verdict.Feasible, verdict.Field));
        Assert.Equal(shardsPerGpu > 0, verdict.Options.Any(o => o.StartsWith("one on-prem", StringComparison.Ordinal)));
    }
}
