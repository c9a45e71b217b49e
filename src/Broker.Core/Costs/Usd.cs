namespace Broker.Core.Costs;

/// <summary>
/// Broker's one money rule. Every ledger amount is computed exactly in <see cref="decimal"/> (seconds × price per hour /
/// 3600) and rounded once, half to even, to 6 decimal places (the precision of the numeric(18,6) columns) per entry.
/// Sums (reports, budgets) add those stored amounts and are never rounded again; only a display rounds to cents.
/// </summary>
public static class Usd
{
    public const int Decimals = 6;

    public static decimal Round(decimal amount) => Math.Round(amount, Decimals, MidpointRounding.ToEven);

    /// <summary>USD for <paramref name="seconds"/> at <paramref name="pricePerHour"/>, rounded by the rule above.</summary>
    public static decimal ForSeconds(decimal seconds, decimal pricePerHour) => Round(seconds * pricePerHour / 3600m);

    /// <summary>Exact seconds of a span (ticks are 100 ns, so the decimal is exact).</summary>
    public static decimal Seconds(TimeSpan span) => span.Ticks / (decimal)TimeSpan.TicksPerSecond;

    /// <summary>Drops the trailing zeros numeric(18,6) adds, so 4.5 reads back as 4.5, not 4.500000.</summary>
    public static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;
}
