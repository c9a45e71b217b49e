using Broker.Core.Placement;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

public sealed class GangPlanningTests
{
    [Fact]
    public void A_16_gpu_job_on_two_idle_8_gpu_nodes_runs_now_as_one_gang_naming_both_members()
    {
        var plan = new SnapshotBuilder().Node("h1", 8, 8, "H100-80GB").Node("h2", 8, 8, "H100-80GB").Node("a1", 4, 4, "A100-80GB")
            .Job(NewJob("gang", gpus: 16)).Place(PlacementStrategies.OnPremOnly);

        var decision = Decision<OnPremDecision>(plan, "gang");
        Assert.Equal(["h1", "h2"], decision.MemberNodes);
        Assert.Equal(16, decision.Gpus);
    }

    /// <summary>Rows: GPUs busy on h1 for how long; the 1-GPU stream's run length; whether a stream job may run now.</summary>
    public static TheoryData<double, double, bool> Streams => new()
    {
        { 1.0, 3.0, false },  // a 3 h job on h2's idle GPUs would push the gang (due in 1 h) back: refused
        { 1.0, 0.5, true },   // a 30 min job ends before the gang starts: backfilled without delaying it
        { 4.0, 2.0, true },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void A_reserved_gang_is_not_starved_or_delayed_by_a_stream_of_1_gpu_jobs(double busyHours, double streamHours, bool streamRunsNow)
    {
        var builder = new SnapshotBuilder().Node("h1", 8, 0, "H100-80GB").Node("h2", 8, 8, "H100-80GB")
            .Running("h1", 8, busyHours)
            .Job(NewJob("gang", gpus: 16, hours: 2, submittedMinutesAgo: 30));
        for (var i = 0; i < 8; i++)
        {
            builder.Job(NewJob($"small-{i}", gpus: 1, hours: streamHours, submittedMinutesAgo: 10 - i));
        }
        var without = new SnapshotBuilder().Node("h1", 8, 0, "H100-80GB").Node("h2", 8, 8, "H100-80GB").Running("h1", 8, busyHours)
            .Job(NewJob("gang", gpus: 16, hours: 2, submittedMinutesAgo: 30)).Place(PlacementStrategies.OnPremOnly);

        var plan = builder.Place(PlacementStrategies.OnPremOnly);

        var gang = Decision<WaitDecision>(plan, "gang");
        Assert.Equal(Decision<WaitDecision>(without, "gang").EstimatedOnPremStart, gang.EstimatedOnPremStart);
        Assert.Equal(Now + TimeSpan.FromHours(busyHours), gang.EstimatedOnPremStart);
        var smallRanNow = plan.Decisions.Where(d => d.JobId.StartsWith("small-", StringComparison.Ordinal)).OfType<OnPremDecision>().Count();
        Assert.Equal(streamRunsNow, smallRanNow > 0);
    }

    /// <summary>Rows: free CPU cores and memory (GB) on h2; the members the 16-GPU, 32-core, 256 GB-per-member job gets now.</summary>
    public static TheoryData<int, int, string[]> MemberRoom => new()
    {
        { 224, 2048, ["h1", "h2"] },
        { 16, 2048, [] },    // h2's GPUs are idle but it lacks the cores one member needs: the gang waits
        { 224, 128, [] },    // ... or the memory
        { 32, 256, ["h1", "h2"] }, // exactly enough
    };

    [Theory]
    [MemberData(nameof(MemberRoom))]
    public void Every_member_needs_the_jobs_cpus_and_memory_free_not_only_its_gpus(int h2Cpus, int h2MemoryGb, string[] members)
    {
        var job = NewJob("gang", gpus: 16) with { CpuCores = 32, MemoryGb = 256 };
        var plan = new SnapshotBuilder()
            .Node(new OnPremNode("h1", "H100-80GB", 80, 8, 8, FreeCpus: 224, FreeMemoryGb: 2048))
            .Node(new OnPremNode("h2", "H100-80GB", 80, 8, 8, FreeCpus: h2Cpus, FreeMemoryGb: h2MemoryGb))
            .Job(job).Place(PlacementStrategies.OnPremOnly);

        var placed = plan.Decisions.OfType<OnPremDecision>().SingleOrDefault(d => d.JobId == "gang");
        Assert.Equal(members, placed?.MemberNodes ?? []);
    }
}
