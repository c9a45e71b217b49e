using System.Globalization;

namespace Broker.Api.Contracts;

/// <summary>
/// Times in query strings (<c>from</c>, <c>to</c>, <c>submittedFrom</c>, ...): ISO 8601, UTC unless an offset is given, between
/// <see cref="Earliest"/> and <see cref="Latest"/>. Read as strings so a bad one gets an error naming its parameter, and
/// bounded so arithmetic on them (a default window, a bucket count) cannot overflow and PostgreSQL never sees
/// <c>DateTimeOffset.MinValue</c> / <c>MaxValue</c> (Npgsql sends those as -infinity / infinity).
/// </summary>
public static class QueryTimes
{
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Latest = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Rule(string name) =>
        $"{name} is an ISO 8601 time such as 2026-11-24T00:00:00Z, between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}.";

    /// <summary>The time in <paramref name="text"/> (null when absent), or null with an error recorded under <paramref name="name"/>.</summary>
    public static DateTimeOffset? Parse(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }
        if (text.Length <= 64
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            && time >= Earliest && time <= Latest)
        {
            return time;
        }
        errors[name] = [Rule(name)];
        return null;
    }
}
