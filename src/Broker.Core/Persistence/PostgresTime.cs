namespace Broker.Core.Persistence;

public static class PostgresTime
{
    /// <summary>
    /// Now, cut to the microsecond precision of <c>timestamptz</c>, so what a call returns equals what a later read returns.
    /// </summary>
    public static DateTimeOffset Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
