using System.Globalization;

namespace Broker.Api.Contracts;

/// <summary>Short durations in query strings: a whole number and a unit, <c>15m</c>, <c>1h</c>, <c>7d</c>, at most <see cref="Max"/>.</summary>
public static class Durations
{
    /// <summary>The longest duration accepted (a report step of a year is already one bucket per year).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(366);

    public const string Rule = "Use a whole number and a unit: m (minutes), h (hours) or d (days), e.g. 15m, 1h, 1d; at most 366d.";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length is < 2 or > 12
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return false;
        }
        long? minutesPerUnit = text[^1] switch
        {
            'm' => 1,
            'h' => 60,
            'd' => 24 * 60,
            _ => null,
        };
        // Compared in whole minutes before any TimeSpan is built: 99999999d would overflow TimeSpan.FromDays.
        if (minutesPerUnit is not { } unit || n > (long)Max.TotalMinutes / unit)
        {
            return false;
        }
        duration = TimeSpan.FromMinutes(n * unit);
        return true;
    }
}
