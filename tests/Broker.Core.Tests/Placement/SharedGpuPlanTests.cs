using Broker.Core.Placement;

namespace Broker.Core.Tests.Placement;

/// <summary>
/// A shared GPU's plan against its definition, on small integer timelines where every instant can be checked: the peak is
/// the most shards held at any instant of [from, to), and the earliest fit is the first instant from which the job's
/// shards stay free for its whole run.
/// </summary>
public sealed class SharedGpuPlanTests
{
    private const int Shards = 4;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Peak_usage_and_earliest_fit_match_every_instant_of_the_timeline(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var unknown = random.Next(4) == 0 ? random.Next(1, Shards) : 0;
            var availableFrom = random.Next(0, 5);
            var wholeFreeAt = random.Next(20, 40);
            var plan = new SharedGpuPlan(Shards, unknown, openNow: true, availableFrom, wholeFreeAt);
            var tenancies = new List<Tenancy>();
            for (var t = random.Next(0, 12); t > 0; t--)
            {
                var start = random.Next(0, 30);
                var tenancy = new Tenancy(random.Next(1, 3), start, start + random.Next(0, 10));
                if (Enumerable.Range((int)tenancy.Start, (int)(tenancy.End - tenancy.Start)).All(at => HeldAt(tenancies, unknown, at) + tenancy.Shards <= Shards))
                {
                    tenancies.Add(tenancy);
                    plan.Add(tenancy);
                }
                // Queries between additions: the plan must see every tenant added so far.
                var from = random.Next(0, 35);
                var to = from + random.Next(1, 10);
                Assert.Equal(Enumerable.Range(from, to - from).Max(at => HeldAt(tenancies, unknown, at)), plan.PeakUsage(from, to));
            }
            var want = random.Next(1, Shards + 1);
            var now = random.Next(0, 10);
            var duration = random.Next(1, 12);
            var canOutlast = random.Next(2) == 0;
            Assert.Equal(EarliestByDefinition(tenancies, unknown, want, Math.Max(now, availableFrom), duration, canOutlast, wholeFreeAt),
                plan.EarliestFit(want, now, duration, canOutlast));
        }
    }

    [Fact]
    public void A_tenant_added_after_a_query_is_seen_by_the_next_query()
    {
        var plan = new SharedGpuPlan(Shards, 0, openNow: true, 0, 100);
        Assert.Equal(0, plan.EarliestFit(4, 0, 10, canOutlast: false));

        plan.Add(new Tenancy(3, 0, 10));

        Assert.Equal(3, plan.PeakUsage(5, 6));
        Assert.Equal(10, plan.EarliestFit(2, 0, 10, canOutlast: false));
        Assert.Equal(0, plan.EarliestFit(1, 0, 10, canOutlast: false));
    }

    private static int HeldAt(IEnumerable<Tenancy> tenancies, int unknown, long at) =>
        unknown + tenancies.Where(t => t.Start <= at && at < t.End).Sum(t => t.Shards);

    private static long? EarliestByDefinition(List<Tenancy> tenancies, int unknown, int want, long first, int duration, bool canOutlast,
        long wholeFreeAt)
    {
        if (unknown > 0)
        {
            return null;
        }
        for (var start = first; start <= 100; start++)
        {
            var fits = Enumerable.Range(0, duration).All(d => HeldAt(tenancies, unknown, start + d) + want <= Shards);
            if (fits && (canOutlast || start + duration <= wholeFreeAt))
            {
                return start;
            }
        }
        return null;
    }
}
