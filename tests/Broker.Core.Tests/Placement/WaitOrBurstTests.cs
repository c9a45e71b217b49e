using Broker.Core.Placement;
using Broker.Core.Policies;
using static Broker.Core.Tests.Placement.SnapshotBuilder;

namespace Broker.Core.Tests.Placement;

/// <summary>The broker's wait-or-burst rule: max wait, max slowdown and price of waiting, each of which may be unset.</summary>
public sealed class WaitOrBurstTests
{
    private static readonly BurstPolicy Base =
        new("*", AllowBurst: true, [], [], AllowSpot: false, TimeSpan.FromMinutes(30), MaxPricePerGpuHour: null, OnPremRatePerGpuHour: 0.6m);

    /// <summary>One busy 1-GPU node that frees in <paramref name="freeInMinutes"/> and one on-demand offer at $1/h.</summary>
    private static PlacementDecision Decide(BurstPolicy policy, double jobHours, double freeInMinutes, int submittedMinutesAgo = 0)
    {
        var builder = new SnapshotBuilder { DefaultPolicy = policy }
            .Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: freeInMinutes / 60)
            .Offer(NewOffer("t4", onDemand: 1m, spot: null))
            .Job(NewJob("j", hours: jobHours, submittedMinutesAgo: submittedMinutesAgo, spot: false));
        return builder.Place(PlacementStrategies.Broker).Decisions.Single();
    }

    /// <summary>
    /// A quarter-GPU job is charged a quarter of a GPU on-prem (ADR 0011) and waits as a quarter of a GPU: bursting it saves
    /// less against on-prem and its waiting is worth less than a whole-GPU job's. At a price of waiting where the whole-GPU
    /// job bursts, the quarter-GPU job of the same length waits (it was judged as a whole GPU and burst too).
    /// </summary>
    [Fact]
    public void Under_a_price_of_waiting_a_shared_job_is_judged_as_its_share_not_as_a_whole_gpu()
    {
        PlacementDecision Place(decimal? share) => new SnapshotBuilder { DefaultPolicy = Base with { WaitPricePerGpuHour = 2m } }
            .Node(new OnPremNode("n1", "T4", 16, 1, 0, ShardsPerGpu: 4)).Running("n1", 1, hoursLeft: 40.0 / 60)
            .Offer(NewOffer("t4", onDemand: 1m, spot: null))
            .Job(NewJob("j", hours: 2, spot: false) with { GpuShare = share })
            .Place(PlacementStrategies.Broker).Decisions.Single();

        Assert.IsType<CloudDecision>(Place(null));
        var wait = Assert.IsType<WaitDecision>(Place(0.25m));
        Assert.Equal(WaitReason.Price, wait.Reason);
    }

    public static TheoryData<string, double?, double, double, bool, string> SlowdownCases => new()
    {
        // policy, max slowdown, job hours, on-prem frees in (min), waits?, the term the explanation names
        { "no slowdown term: the max wait alone decides", null, 60 * 24, 40, false, "max wait:" },
        { "no slowdown term: the max wait alone decides", null, 10.0 / 60, 40, false, "max wait:" },
        { "a 60-day job waits 40 min for on-prem", 2, 60 * 24, 40, true, "max slowdown:" },
        { "a 10-minute job bursts rather than wait 40 min", 2, 10.0 / 60, 40, false, "max wait and slowdown:" },
        { "within the max wait even a short job waits", 2, 10.0 / 60, 20, true, "max wait:" },
        { "a 1-hour job is slowed 1.67x by 40 min: within 2x", 2, 1, 40, true, "max slowdown:" },
        { "a 1-hour job is slowed 1.67x by 40 min: above 1.5x", 1.5, 1, 40, false, "max wait and slowdown:" },
    };

    [Theory]
    [MemberData(nameof(SlowdownCases))]
    public void Long_jobs_wait_and_short_jobs_burst_under_the_same_slowdown_policy(string why, double? maxSlowdown, double jobHours,
        double freeInMinutes, bool waits, string term)
    {
        var decision = Decide(Base with { MaxSlowdown = maxSlowdown }, jobHours, freeInMinutes);

        Assert.True(waits ? decision is WaitDecision { Reason: WaitReason.OnPremSoon } : decision is CloudDecision, why);
        Assert.Contains(term, decision.Explanation.Chosen, StringComparison.Ordinal);
    }

    [Fact]
    public void Time_already_waited_counts_towards_the_slowdown()
    {
        var fresh = Decide(Base with { MaxSlowdown = 2 }, jobHours: 1, freeInMinutes: 40);
        var waitedAlready = Decide(Base with { MaxSlowdown = 2 }, jobHours: 1, freeInMinutes: 40, submittedMinutesAgo: 30);

        Assert.IsType<WaitDecision>(fresh);
        Assert.IsType<CloudDecision>(waitedAlready);
    }

    public static TheoryData<double?, bool> PriceCases => new()
    {
        // price of waiting per GPU-hour, waits? (2-hour job, 40 min to wait, cloud costs ~$0.83 beyond on-prem)
        { null, false },
        { 0.1, true },
        { 0.5, true },
        { 5, false },
        { 50, false },
    };

    [Theory]
    [MemberData(nameof(PriceCases))]
    public void A_job_past_its_wait_terms_bursts_only_when_waiting_is_worth_more_than_the_cloud_costs(double? price, bool waits)
    {
        var decision = Decide(Base with { WaitPricePerGpuHour = (decimal?)price }, jobHours: 2, freeInMinutes: 40);

        if (waits)
        {
            var wait = Assert.IsType<WaitDecision>(decision);
            Assert.Equal(WaitReason.Price, wait.Reason);
            Assert.Contains("price of waiting", wait.Explanation.Chosen, StringComparison.Ordinal);
            Assert.Contains(wait.Explanation.Rejected, r => r.Reason == RejectionReason.Price && r.Detail.Contains("beyond on-prem"));
            Assert.Null(wait.LimitAt);
        }
        else
        {
            var cloud = Assert.IsType<CloudDecision>(decision);
            Assert.Contains(price is null ? "max wait:" : "price of waiting:", cloud.Explanation.Chosen, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_waiting_job_names_the_moment_its_wait_limit_runs_out()
    {
        var plain = Assert.IsType<WaitDecision>(Decide(Base, jobHours: 2, freeInMinutes: 20, submittedMinutesAgo: 5));
        var slowdown = Assert.IsType<WaitDecision>(Decide(Base with { MaxSlowdown = 3 }, jobHours: 2, freeInMinutes: 20, submittedMinutesAgo: 5));

        Assert.Equal(Now.AddMinutes(25), plain.LimitAt);
        Assert.Equal(Now.AddMinutes(20), plain.EstimatedOnPremStart);
        Assert.Equal(Now.AddMinutes(20), plain.RetryAt);
        // (wait + 2 h) / 2 h <= 3 while the wait is at most 4 h from submit.
        Assert.Equal(Now.AddMinutes(-5).AddHours(4), slowdown.LimitAt);
    }

    [Fact]
    public void A_deadline_that_on_prem_would_miss_bursts_whatever_the_wait_terms()
    {
        var builder = new SnapshotBuilder { DefaultPolicy = Base with { MaxSlowdown = 100, WaitPricePerGpuHour = 0.01m } }
            .Node("n1", total: 1, idle: 0).Running("n1", 1, hoursLeft: 1)
            .Offer(NewOffer("t4", onDemand: 1m, spot: null))
            .Job(NewJob("j", hours: 2, spot: false, deadline: Now.AddHours(2.5)));

        var cloud = Decision<CloudDecision>(builder.Place(PlacementStrategies.Broker), "j");

        Assert.Contains("would miss the deadline", cloud.Explanation.Chosen, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limit_is_the_later_of_the_max_wait_and_the_max_slowdown_moment()
    {
        var job = NewJob("j", hours: 0.5);

        Assert.Equal(job.SubmittedAt.AddMinutes(30), WaitOrBurst.Limit(job, Base, job.EstimatedDuration));
        Assert.Equal(job.SubmittedAt.AddMinutes(30), WaitOrBurst.Limit(job, Base with { MaxSlowdown = 1.5 }, job.EstimatedDuration));
        Assert.Equal(job.SubmittedAt.AddMinutes(60), WaitOrBurst.Limit(job, Base with { MaxSlowdown = 3 }, job.EstimatedDuration));
        Assert.Equal(job.SubmittedAt.AddHours(4), WaitOrBurst.Limit(job, Base with { MaxSlowdown = 3 }, TimeSpan.FromHours(2)));
    }

    public static TheoryData<string, int?, double, bool> RequeueCases => new()
    {
        // a 16-GPU gang submitted 6 h ago that lost spot after 3 interruptions; requeued minutes ago (null: never ran);
        // both 8-GPU nodes free in (min); waits for on-prem?
        { "requeued a minute ago, on-prem in 5 min: waits", 1, 5, true },
        { "requeued 20 min ago, on-prem in 5 min: still within the max wait of this stay", 20, 5, true },
        { "requeued a minute ago, on-prem in 45 min: the max wait still binds each stay", 1, 45, false },
        { "no requeue recorded: the max wait ran out 5.5 h after submit", null, 5, false },
    };

    [Theory]
    [MemberData(nameof(RequeueCases))]
    public void A_requeued_job_counts_the_max_wait_from_its_requeue_not_from_its_submit(string why, int? requeuedMinutesAgo,
        double freeInMinutes, bool waits)
    {
        var strikes = Enumerable.Range(0, 3).Select(z => new SpotStrike("aws", "us-east-1", $"us-east-1{(char)('a' + z)}", SpotStrikeKind.Interrupted)).ToArray();
        var job = NewJob("gang", gpus: 16, hours: 48, submittedMinutesAgo: 360, spot: true, checkpointMinutes: 30) with
        {
            Interruptions = 3, SpotStrikes = strikes, SavedProgress = TimeSpan.FromHours(4),
            RequeuedAt = requeuedMinutesAgo is { } m ? Now.AddMinutes(-m) : null,
        };
        var builder = new SnapshotBuilder { DefaultPolicy = Base with { AllowSpot = true } }
            .Node("n1", total: 8, idle: 0).Running("n1", 8, hoursLeft: freeInMinutes / 60)
            .Node("n2", total: 8, idle: 0).Running("n2", 8, hoursLeft: freeInMinutes / 60)
            .Offer(NewOffer("g8", gpus: 8, onDemand: 8m, spot: 2m))
            .Job(job);

        var decision = builder.Place(PlacementStrategies.Broker).Decisions.Single();

        Assert.True(waits ? decision is WaitDecision : decision is CloudDecision, why);
        if (waits)
        {
            var wait = Assert.IsType<WaitDecision>(decision);
            Assert.Equal(WaitReason.OnPremSoon, wait.Reason);
            Assert.Contains("since its requeue is within the 30m max wait", wait.Explanation.Chosen, StringComparison.Ordinal);
            Assert.Equal(Now.AddMinutes(30 - requeuedMinutesAgo!.Value), wait.LimitAt);
        }
        else
        {
            var cloud = Assert.IsType<CloudDecision>(decision);
            Assert.Equal(Broker.Core.Capacity.CapacityType.OnDemand, cloud.Market);
            Assert.Contains("spot no longer offered", cloud.Explanation.Chosen, StringComparison.Ordinal);
        }
    }
}
