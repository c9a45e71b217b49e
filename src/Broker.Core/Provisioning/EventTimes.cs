using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Core.Provisioning;

/// <summary>
/// The times events carry. A sender's time is RFC 3339 with an explicit offset (the scripts send
/// <c>date -u +%Y-%m-%dT%H:%M:%S.%NZ</c>, nanoseconds), kept to the microsecond PostgreSQL stores. Before use it is
/// clamped into what can be true: not before the allocation was created (or, for an end, before its segment started)
/// and not after the moment Broker records it. Clamped rather than refused: a sender's clock a little off must not
/// lose the event (the scripts give up on a 4xx), and the window is exactly what Broker itself can vouch for.
/// </summary>
public static partial class EventTimes
{
    /// <summary>How far ahead of Broker's clock a sender may be before its time is logged as wrong (it is clamped anyway).</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromSeconds(5);

    public static string ToWire(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses an RFC 3339 date-time with an explicit offset; null when it is not one.</summary>
    public static DateTimeOffset? Parse(string? text)
    {
        if (text is null || Rfc3339().Match(text) is not { Success: true } m)
        {
            return null;
        }
        // .NET reads at most seven fractional digits: keep six (what PostgreSQL stores), dropping the rest.
        var fraction = m.Groups["fraction"].Success ? m.Groups["fraction"].Value : "";
        fraction = (fraction + "000000")[..6];
        var offset = m.Groups["offset"].Value is "Z" or "z" ? "+00:00" : m.Groups["offset"].Value;
        return DateTimeOffset.TryParseExact($"{m.Groups["seconds"].Value}.{fraction}{offset}", "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    /// <summary>The sender's time kept inside [<paramref name="notBefore"/>, <paramref name="now"/>]; <paramref name="now"/> when it gave none.</summary>
    public static DateTimeOffset Clamp(DateTimeOffset? claimed, DateTimeOffset notBefore, DateTimeOffset now)
    {
        var at = claimed ?? now;
        if (at > now)
        {
            at = now;
        }
        return at < notBefore ? (notBefore > now ? now : notBefore) : at;
    }

    /// <summary>Cut to microseconds, as <c>timestamptz</c> keeps it.</summary>
    public static DateTimeOffset Micro(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));

    [GeneratedRegex(@"^(?<seconds>\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(\.(?<fraction>\d{1,9}))?(?<offset>[Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
