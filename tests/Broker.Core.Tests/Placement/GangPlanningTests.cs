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
}
