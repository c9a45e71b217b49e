using Broker.Core.Placement;

namespace Broker.Core.Tests.Placement;

/// <summary>Table-driven rules of share packing (ADR 0011): round up, pack before opening, keep whole GPUs free, never over-commit.</summary>
public sealed class SharePackingTests
{
    private static ShareableNode Node(string name, int gpus, int wholeUsed, int shardsPerGpu, int[] sharedGpus, string model = "L4", int memoryGb = 24) =>
        new(name, model, memoryGb, gpus, wholeUsed, shardsPerGpu, sharedGpus);

    public static TheoryData<decimal, int, int> Rounding => new()
    {
        { 0.25m, 4, 1 }, { 0.26m, 4, 2 }, { 0.5m, 4, 2 }, { 0.01m, 4, 1 }, { 0.99m, 4, 4 }, { 0.3m, 8, 3 }, { 0.126m, 8, 2 }, { 0.9999m, 8, 8 },
    };

    [Theory]
    [MemberData(nameof(Rounding))]
    public void A_share_is_rounded_up_to_the_node_granularity(decimal share, int shardsPerGpu, int expectedShards)
    {
        Assert.Equal(expectedShards, SharePacking.ShardsFor(share, shardsPerGpu));
        Assert.True(SharePacking.ReservedShare(share, shardsPerGpu) >= share);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void Shares_outside_zero_to_one_are_refused(double share) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SharePacking.ShardsFor((decimal)share, 4));

    /// <summary>Nodes as "name:gpus:wholeUsed:shardsPerGpu:shards used on each shared GPU (comma list)", the share, and the
    /// node and GPU expected ("-" for none).</summary>
    public static TheoryData<string, string[], decimal, string, bool> Choices => new()
    {
        { "packs onto the node whose GPU is already shared", ["a:4:0:4:", "b:4:0:4:1"], 0.25m, "b/0", false },
        { "best fit over shares: the open GPU left fullest", ["a:4:0:4:1", "b:4:0:4:2"], 0.5m, "b/0", false },
        { "best fit inside a node", ["a:4:0:8:2,5,7"], 0.25m, "a/1", false },
        { "an open GPU without room does not take it", ["a:4:0:4:3", "b:4:0:4:"], 0.5m, "a/1", true },
        { "free shards split over GPUs are not one room", ["a:2:0:8:5,5"], 0.5m, "-", false },
        { "a fresh GPU opens on the node with fewest fresh GPUs", ["a:4:0:4:", "b:4:3:4:"], 0.5m, "b/0", true },
        { "a fresh GPU keeps an idle node whole", ["idle:8:0:4:", "busy:8:6:4:"], 0.25m, "busy/0", true },
        { "no GPU left: whole GPUs held and shards full", ["a:4:3:4:4", "b:2:2:4:"], 0.25m, "-", false },
        { "a node without shards takes no shared job", ["a:4:0:0:"], 0.25m, "-", false },
        // Best fit compares what is left as a part of a GPU: 1 of 4 shards (0.25) is more room than 150 of 1000 (0.15).
        { "best fit over nodes of different shard counts: fine grain left fuller", ["coarse:4:0:4:2", "fine:4:0:1000:600"], 0.25m, "fine/0", false },
        { "best fit over nodes of different shard counts: coarse grain left full", ["coarse:4:0:4:3", "fine:4:0:1000:600"], 0.25m, "coarse/0", false },
        { "best fit over nodes of different shard counts: 8-shard GPU left fuller", ["four:4:0:4:1", "eight:4:0:8:3"], 0.25m, "eight/0", false },
    };

    [Theory]
    [MemberData(nameof(Choices))]
    public void Choose_follows_the_packing_rules(string _, string[] nodes, decimal share, string expected, bool opensFresh)
    {
        var parsed = nodes.Select(n => n.Split(':')).Select(p => Node(p[0], int.Parse(p[1]), int.Parse(p[2]), int.Parse(p[3]),
            [.. p[4].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)]));

        var placement = SharePacking.Choose(parsed, share, [], 0);

        Assert.Equal(expected, placement is null ? "-" : $"{placement.Node}/{placement.SharedGpu}");
        if (placement is not null)
        {
            Assert.Equal(opensFresh, placement.OpensFreshGpu);
        }
    }

    [Fact]
    public void Models_and_memory_filter_nodes()
    {
        ShareableNode[] nodes = [Node("l4", 4, 0, 4, [1]), Node("h100", 8, 0, 8, [], "H100-80GB", 80)];

        Assert.Equal("h100", SharePacking.Choose(nodes, 0.25m, ["H100-80GB"], 0)?.Node);
        Assert.Equal("h100", SharePacking.Choose(nodes, 0.25m, [], 40)?.Node);
        Assert.Null(SharePacking.Choose(nodes, 0.25m, ["A100-80GB"], 0));
    }

    [Theory]
    [InlineData(0.25, 4, 4)]
    [InlineData(0.3, 4, 4)]
    [InlineData(0.6, 8, 4)]
    [InlineData(0.1, 8, 8)]
    public void Repeated_placements_never_over_commit_a_gpu_and_fill_shared_gpus_first(double share, int shardsPerGpu, int gpus)
    {
        var node = Node("n", gpus, 0, shardsPerGpu, []);
        var placed = 0;
        while (SharePacking.Choose([node], (decimal)share, [], 0) is { } placement)
        {
            node = SharePacking.After(node, placement);
            placed++;
            Assert.All(node.ShardsUsedOnSharedGpus, used => Assert.InRange(used, 1, shardsPerGpu));
            Assert.InRange(node.ShardsUsedOnSharedGpus.Count, 1, gpus);
            Assert.True(placed < 1000, "placement never stops");
        }
        var perGpu = shardsPerGpu / SharePacking.ShardsFor((decimal)share, shardsPerGpu);
        // Whole jobs per GPU times GPUs: the packing wastes nothing beyond the rounding to shards.
        Assert.Equal(perGpu * gpus, placed);
    }
}
