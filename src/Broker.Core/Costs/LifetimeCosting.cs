namespace Broker.Core.Costs;

/// <summary>One piece of a priced lifetime: a ledger entry before it gets its job, team and labels.</summary>
/// <param name="BilledSeconds">What the provider's rule bills for this piece; the last piece carries a minimum's or a round-up's extra.</param>
/// <param name="PricePerHour">USD per hour of the whole segment (instance-hour, or on-prem rate × GPUs) during the piece.</param>
public sealed record CostPart(int Part, DateTimeOffset Start, DateTimeOffset End, decimal BilledSeconds, decimal GpuHours,
    decimal PricePerHour, decimal Cost, decimal? OnDemandPricePerHour, decimal OnDemandCost);

/// <summary>
/// Prices one run segment from its real lifetime. The lifetime is cut wherever the price or the counterfactual on-demand
/// price changes and at every UTC midnight (so a day or month report never has to apportion an entry), and each piece is
/// priced at the price in effect at its start. The provider's billing rule is applied to the whole lifetime: billed time
/// runs from the start, a shortfall (round-down) is taken off the end, and an extra (minimum, round-up) is added to the
/// last piece at the last price, as the instance would have billed it.
/// </summary>
/// <param name="Waived">The provider does not bill this run at all (an EC2 spot instance EC2 interrupted in its first hour).</param>
/// <param name="OnDemand">The counterfactual price; null when no on-demand offer is known (then the counterfactual equals the cost).</param>
public sealed record LifetimeCosting(DateTimeOffset Start, DateTimeOffset End, int Gpus, PriceTimeline Price, BillingRule Rule,
    bool Waived, PriceTimeline? OnDemand, BillingRule OnDemandRule)
{
    public IReadOnlyList<CostPart> Parts()
    {
        var ran = Usd.Seconds(End - Start);
        if (ran <= 0)
        {
            return [];
        }
        var cuts = Cuts();
        var billed = Distribute(cuts, Waived ? 0 : Rule.BilledSeconds(ran), ran);
        var counterfactual = OnDemand is null ? null : Distribute(cuts, OnDemandRule.BilledSeconds(ran), ran);
        var parts = new List<CostPart>(cuts.Count - 1);
        for (var i = 0; i < cuts.Count - 1; i++)
        {
            var price = Price.At(cuts[i]);
            var cost = Usd.ForSeconds(billed[i], price);
            var onDemandPrice = OnDemand?.At(cuts[i]);
            var onDemandCost = counterfactual is null ? cost : Usd.ForSeconds(counterfactual[i], onDemandPrice!.Value);
            var gpuHours = Usd.Round(Usd.Seconds(cuts[i + 1] - cuts[i]) * Gpus / 3600m);
            parts.Add(new CostPart(i, cuts[i], cuts[i + 1], billed[i], gpuHours, price, cost, onDemandPrice, onDemandCost));
        }
        return parts;
    }

    private List<DateTimeOffset> Cuts()
    {
        var cuts = new SortedSet<DateTimeOffset> { Start, End };
        cuts.UnionWith(Price.ChangesWithin(Start, End));
        if (OnDemand is not null)
        {
            cuts.UnionWith(OnDemand.ChangesWithin(Start, End));
        }
        for (var midnight = Start.UtcDateTime.Date.AddDays(1); midnight < End.UtcDateTime; midnight = midnight.AddDays(1))
        {
            cuts.Add(new DateTimeOffset(midnight, TimeSpan.Zero));
        }
        return [.. cuts];
    }

    /// <summary>Billed seconds per piece: the billed span [0, billed) laid over the pieces, any extra on the last one.</summary>
    private decimal[] Distribute(List<DateTimeOffset> cuts, decimal billed, decimal ran)
    {
        var result = new decimal[cuts.Count - 1];
        for (var i = 0; i < result.Length; i++)
        {
            var from = Usd.Seconds(cuts[i] - Start);
            var to = Usd.Seconds(cuts[i + 1] - Start);
            result[i] = Math.Max(0, Math.Min(to, billed) - from);
        }
        result[^1] += Math.Max(0, billed - ran);
        return result;
    }
}
