using System.Globalization;

namespace Broker.Api.Contracts;

/// <summary>Short durations in query strings: a whole number and a unit, <c>15m</c>, <c>1h</c>, <c>7d</c>.</summary>
public static class Durations
{
    public const string Rule = "Use a whole number and a unit: m (minutes), h (hours) or d (days), e.g. 15m, 1h, 1d.";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return false;
        }
        TimeSpan? parsed = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
        duration = parsed ?? default;
        return parsed is not null;
    }
}
