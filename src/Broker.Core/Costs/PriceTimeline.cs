namespace Broker.Core.Costs;

/// <summary>
/// A price (USD per hour) that changes at known instants: the price at <c>t</c> is the last change at or before <c>t</c>,
/// or the initial price before the first change.
/// </summary>
public sealed class PriceTimeline
{
    private readonly decimal initial;
    private readonly (DateTimeOffset At, decimal Price)[] changes;

    public PriceTimeline(decimal initial, IEnumerable<(DateTimeOffset At, decimal Price)> changes)
    {
        this.initial = initial;
        this.changes = [.. changes.OrderBy(c => c.At)];
    }

    public static PriceTimeline Constant(decimal price) => new(price, []);

    public decimal At(DateTimeOffset t)
    {
        var price = initial;
        foreach (var (at, p) in changes)
        {
            if (at > t)
            {
                break;
            }
            price = p;
        }
        return price;
    }

    /// <summary>The instants strictly inside (<paramref name="from"/>, <paramref name="to"/>) where the price changes.</summary>
    public IEnumerable<DateTimeOffset> ChangesWithin(DateTimeOffset from, DateTimeOffset to) =>
        changes.Where(c => c.At > from && c.At < to).Select(c => c.At);

    public PriceTimeline Times(decimal factor) => new(initial * factor, changes.Select(c => (c.At, c.Price * factor)));
}
