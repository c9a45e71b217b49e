using Broker.Core.Costs;

namespace Broker.Core.Tests.Costs;

public sealed class LifetimeCostingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 10, 8, 0, 0, TimeSpan.Zero);

    private static LifetimeCosting Spot(TimeSpan ran, PriceTimeline price, BillingRule? rule = null, PriceTimeline? onDemand = null, bool waived = false) =>
        new(T0, T0 + ran, 8, price, rule ?? BillingRule.Aws, waived, onDemand, rule ?? BillingRule.Aws);

    [Fact]
    public void A_spot_price_change_during_a_run_splits_it_and_bills_each_side_per_second_at_its_price()
    {
        var change = T0.AddMinutes(40).AddSeconds(17);
        var price = new PriceTimeline(12.5m, [(change, 14.25m)]);
        var ran = TimeSpan.FromMinutes(95).Add(TimeSpan.FromSeconds(3.25));

        var parts = Spot(ran, price, onDemand: PriceTimeline.Constant(98.32m)).Parts();

        Assert.Equal(2, parts.Count);
        Assert.Equal((T0, change), (parts[0].Start, parts[0].End));
        Assert.Equal((change, T0 + ran), (parts[1].Start, parts[1].End));
        Assert.Equal(2417m, parts[0].BilledSeconds);
        // 3,286.25 s ran after the change; a started second is billed whole.
        Assert.Equal(3287m, parts[1].BilledSeconds);
        Assert.Equal(Math.Round(2417m * 12.5m / 3600m, 6, MidpointRounding.ToEven), parts[0].Cost);
        Assert.Equal(Math.Round(3287m * 14.25m / 3600m, 6, MidpointRounding.ToEven), parts[1].Cost);
        Assert.Equal(12.5m, parts[0].PricePerHour);
        Assert.Equal(14.25m, parts[1].PricePerHour);
        Assert.Equal(Math.Round(2417m * 98.32m / 3600m, 6, MidpointRounding.ToEven), parts[0].OnDemandCost);
        Assert.Equal(Math.Round(2417m * 8 / 3600m, 6, MidpointRounding.ToEven), parts[0].GpuHours);
    }

    [Fact]
    public void A_run_shorter_than_the_minimum_is_billed_the_minimum_at_the_last_price()
    {
        var parts = Spot(TimeSpan.FromSeconds(12.4), PriceTimeline.Constant(3.6m)).Parts();

        var part = Assert.Single(parts);
        Assert.Equal(60m, part.BilledSeconds);
        Assert.Equal(0.06m, part.Cost);
        Assert.Equal(Math.Round(12.4m * 8 / 3600m, 6, MidpointRounding.ToEven), part.GpuHours);
    }

    [Fact]
    public void Azure_bills_whole_minutes_only()
    {
        var parts = Spot(TimeSpan.FromSeconds(6 * 60 + 45), PriceTimeline.Constant(6m), BillingRule.Azure).Parts();

        Assert.Equal(360m, Assert.Single(parts).BilledSeconds);
        Assert.Equal(0.6m, parts[0].Cost);
    }

    [Fact]
    public void Azure_takes_a_partial_minute_off_the_end_across_pieces()
    {
        var change = T0.AddSeconds(100);
        var parts = Spot(TimeSpan.FromSeconds(130), new PriceTimeline(3.6m, [(change, 7.2m)]), BillingRule.Azure).Parts();

        Assert.Equal([100m, 20m], parts.Select(p => p.BilledSeconds));
        Assert.Equal(0.1m + 0.04m, parts.Sum(p => p.Cost));
    }

    [Fact]
    public void A_run_over_midnight_is_cut_at_midnight_so_every_entry_belongs_to_one_day()
    {
        var start = new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.Zero);
        var parts = new LifetimeCosting(start, start.AddHours(1), 2, PriceTimeline.Constant(2.4m), BillingRule.OnPrem, false, null, BillingRule.OnPrem).Parts();

        Assert.Equal(2, parts.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), parts[0].End);
        Assert.All(parts, p => Assert.Equal(1.2m, p.Cost));
        Assert.All(parts, p => Assert.Equal(1.2m, p.OnDemandCost));
        Assert.All(parts, p => Assert.Null(p.OnDemandPricePerHour));
    }

    [Fact]
    public void A_waived_run_costs_nothing_but_keeps_its_gpu_hours_and_counterfactual()
    {
        var parts = Spot(TimeSpan.FromMinutes(30), PriceTimeline.Constant(10m), onDemand: PriceTimeline.Constant(30m), waived: true).Parts();

        var part = Assert.Single(parts);
        Assert.Equal(0m, part.Cost);
        Assert.Equal(4m, part.GpuHours);
        Assert.Equal(15m, part.OnDemandCost);
    }

    [Fact]
    public void A_run_that_never_lasted_has_no_entries() =>
        Assert.Empty(Spot(TimeSpan.Zero, PriceTimeline.Constant(10m)).Parts());

    [Fact]
    public void Each_entry_is_rounded_half_to_even_at_six_decimals()
    {
        Assert.Equal(0.000002m, Usd.Round(0.0000025m));
        Assert.Equal(0.000004m, Usd.Round(0.0000035m));
        Assert.Equal(-0.000002m, Usd.Round(-0.0000025m));
        // 1 s at $0.009 per hour is 0.0000025: rounds to even.
        Assert.Equal(0.000002m, Usd.ForSeconds(1, 0.009m));
    }

    [Theory]
    [InlineData("aws", 0.5, 60)]
    [InlineData("aws", 60.2, 61)]
    [InlineData("gcp", 30, 60)]
    [InlineData("gcp", 3600.01, 3601)]
    [InlineData("azure", 59, 0)]
    [InlineData("azure", 405, 360)]
    [InlineData("slurm", 5.5, 5.5)]
    [InlineData("other", 1.1, 2)]
    public void Providers_bill_by_their_documented_rules(string provider, double ran, double billed) =>
        Assert.Equal((decimal)billed, BillingRule.For(provider).BilledSeconds((decimal)ran));
}
