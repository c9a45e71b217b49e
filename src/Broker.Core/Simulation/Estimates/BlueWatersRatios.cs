using System.Globalization;
using Broker.Core.Simulation.Traces;

namespace Broker.Core.Simulation.Estimates;

/// <summary>
/// The Blue Waters GPU jobs (<c>blue_waters_data_training.csv</c>, read in place): per user, every GPU job's
/// run_time / wall_time (actual over requested), sorted, and the largest limit the user ever asked for.
/// </summary>
public sealed class BlueWatersRatios
{
    private static readonly string[] Required = ["user", "gpu_num", "run_time", "wall_time"];

    private BlueWatersRatios(IReadOnlyList<UserRatios> users) => Users = users;

    /// <summary>Users with at least one GPU job, ordered by user id (numerically when the ids are numbers).</summary>
    public IReadOnlyList<UserRatios> Users { get; }

    public static BlueWatersRatios Read(TextReader reader, string source)
    {
        var (header, column) = TraceLines.Header(reader, source, Required);
        var byUser = new Dictionary<string, (List<double> Ratios, long MaxWall)>(StringComparer.Ordinal);
        foreach (var (lineNumber, line) in TraceLines.NonEmpty(reader, linesRead: 1))
        {
            var f = line.Split(',');
            if (f.Length != header.Length)
            {
                continue;
            }
            long Number(string name) => long.TryParse(f[column[name]].Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v : throw TraceFormatException.AtLine(source, lineNumber, $"{name} '{f[column[name]]}' is not a whole number");
            if (Number("gpu_num") <= 0 || Number("wall_time") <= 0 || Number("run_time") < 0)
            {
                continue;
            }
            var user = f[column["user"]].Trim();
            var entry = byUser.TryGetValue(user, out var e) ? e : ([], 0L);
            entry.Ratios.Add(Number("run_time") / (double)Number("wall_time"));
            byUser[user] = (entry.Ratios, Math.Max(entry.MaxWall, Number("wall_time")));
        }
        if (byUser.Count == 0)
        {
            throw new TraceFormatException($"{source}: no GPU jobs (gpu_num > 0) with a wall_time");
        }
        return new BlueWatersRatios(byUser
            .OrderBy(u => long.TryParse(u.Key, out var n) ? n : long.MaxValue).ThenBy(u => u.Key, StringComparer.Ordinal)
            .Select(u => new UserRatios(u.Key, [.. u.Value.Ratios.Order()], u.Value.MaxWall)).ToArray());
    }
}

/// <param name="Ratios">run_time / wall_time of each GPU job, ascending (above 1 when the job ran past its request).</param>
/// <param name="MaxLimitS">The largest wall_time the user requested.</param>
public sealed record UserRatios(string User, IReadOnlyList<double> Ratios, long MaxLimitS);
