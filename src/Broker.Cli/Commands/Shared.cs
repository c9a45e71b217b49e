using System.CommandLine;
using System.Globalization;

namespace Broker.Cli.Commands;

internal static class Shared
{
    public static Option<bool> Json() => new("--json") { Description = "Print Broker's JSON answer as it is, for scripts" };

    public static Argument<string> JobId() => new("id") { Description = "The job's id (from 'broker submit' or 'broker jobs')" };

    public static string Time(DateTimeOffset? at) => at is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Usd(decimal? amount) => amount is { } a ? "$" + a.ToString("#,0.00", CultureInfo.InvariantCulture) : "-";

    /// <summary>Prices per hour keep their sub-cent digits ($1.006/h), as the catalog has them.</summary>
    public static string Rate(decimal? amount) => amount is { } a ? "$" + a.ToString("#,0.00##", CultureInfo.InvariantCulture) + "/h" : "-";

    public static string Number(decimal? value, string format = "0.##") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static KeyValuePair<string, string?> Q(string name, string? value) => new(name, value);

    public static KeyValuePair<string, string?> Q(string name, int? value) => new(name, value?.ToString(CultureInfo.InvariantCulture));
}
