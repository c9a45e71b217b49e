namespace Broker.Api.Contracts;

/// <summary>
/// The time range of a report: <c>from</c> inclusive, <c>to</c> exclusive, both UTC. Bounded so no arithmetic on it can
/// overflow and no request can ask for centuries: between 2000 and 2100, at most <see cref="MaxDays"/> days long.
/// </summary>
public static class ReportRange
{
    public const int MaxDays = 1100;

    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Checks the range; a missing <c>from</c>/<c>to</c> means the current UTC month.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Parse(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now,
        Dictionary<string, string[]> errors)
    {
        var monthStart = new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var start = from?.ToUniversalTime() ?? monthStart;
        var end = to?.ToUniversalTime() ?? monthStart.AddMonths(1);
        if (start < Earliest || start >= Latest)
        {
            errors["from"] = ["'from' is between 2000-01-01 and 2100-01-01."];
        }
        if (end <= Earliest || end > Latest)
        {
            errors["to"] = ["'to' is between 2000-01-01 and 2100-01-01."];
        }
        else if (end <= start)
        {
            errors["to"] = ["'to' must be after 'from'."];
        }
        else if ((end - start).TotalDays > MaxDays)
        {
            errors["to"] = [$"A report covers at most {MaxDays} days."];
        }
        return (start, end);
    }
}
