using System.Globalization;
using Broker.Core.Capacity;

namespace Broker.Core.Simulation;

/// <summary>
/// The generic job trace: a CSV with exactly the header
/// <c>job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s</c>. <c>gpu_models</c> is
/// '|'-separated (empty for any), <c>deadline_s</c> and <c>checkpoint_s</c> are empty for none, <c>spot_ok</c> is
/// true|false. Seconds may carry decimals (durations round up, times round to the nearest second).
/// </summary>
public static class GenericCsvTrace
{
    public const string Header = "job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s";

    /// <summary>The same with the user's requested runtime as a tenth column (for <c>estimates.mode = trace</c>).</summary>
    public const string HeaderWithLimit = Header + ",limit_s";

    public static IReadOnlyList<TraceJob> Read(TextReader reader, string source)
    {
        var first = reader.ReadLine()?.TrimEnd('\r').TrimStart('\uFEFF');
        if (first != Header && first != HeaderWithLimit)
        {
            throw TraceFormatException.AtLine(source, 1, $"header must be exactly '{Header}' (optionally ',limit_s') but was '{first}'");
        }
        var columns = first == Header ? 9 : 10;
        var jobs = new List<TraceJob>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 1;
        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            var job = ParseRow(line, source, lineNumber, columns);
            if (!seen.Add(job.JobId))
            {
                throw TraceFormatException.AtLine(source, lineNumber, $"duplicate job_id '{job.JobId}'");
            }
            jobs.Add(job);
        }
        return jobs;
    }

    public static void Write(TextWriter writer, IEnumerable<TraceJob> jobs)
    {
        writer.Write(Header + "\n");
        foreach (var j in jobs)
        {
            writer.Write(string.Join(',', j.JobId, j.Team, Num(j.SubmitS), Num(j.DurationS), Num(j.Gpus),
                string.Join('|', j.GpuModels), j.DeadlineS is { } d ? Num(d) : "", j.SpotOk ? "true" : "false",
                j.CheckpointS is { } c ? Num(c) : "") + "\n");
        }
    }

    private static TraceJob ParseRow(string line, string source, int lineNumber, int columns)
    {
        var f = line.Split(',');
        if (f.Length != columns)
        {
            throw TraceFormatException.AtLine(source, lineNumber, $"expected {columns} fields, found {f.Length}");
        }
        TraceFormatException Bad(string column, string problem) =>
            TraceFormatException.AtLine(source, lineNumber, $"{column} '{f[Array.IndexOf(Columns, column)]}' {problem}");
        var id = f[0].Trim();
        var team = f[1].Trim();
        if (id.Length == 0)
        {
            throw Bad("job_id", "must not be empty");
        }
        if (team.Length == 0)
        {
            throw Bad("team", "must not be empty");
        }
        var submit = Seconds(f[2]) is { } s && s >= 0 ? (long)Math.Round(s) : throw Bad("submit_s", "must be a number >= 0");
        var duration = Seconds(f[3]) is { } d && d > 0 ? (long)Math.Ceiling(d) : throw Bad("duration_s", "must be a number > 0");
        var gpus = int.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var g) && g >= 1
            ? g : throw Bad("gpus", "must be a whole number >= 1");
        var models = f[5].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(GpuModels.Normalize).Distinct(StringComparer.Ordinal).ToArray();
        long? deadline = f[6].Trim().Length == 0 ? null
            : Seconds(f[6]) is { } dl && dl > submit ? (long)Math.Round(dl) : throw Bad("deadline_s", "must be empty or a number after submit_s");
        var spot = f[7].Trim() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Bad("spot_ok", "must be true or false"),
        };
        long? checkpoint = f[8].Trim().Length == 0 ? null
            : Seconds(f[8]) is { } c && c > 0 ? (long)Math.Ceiling(c) : throw Bad("checkpoint_s", "must be empty or a number > 0");
        long? limit = columns < 10 || f[9].Trim().Length == 0 ? null
            : Seconds(f[9]) is { } l && l > 0 ? (long)Math.Ceiling(l) : throw Bad("limit_s", "must be empty or a number > 0");
        return new TraceJob(id, team, submit, duration, gpus, models, deadline, spot, checkpoint, LimitS: limit);
    }

    private static readonly string[] Columns = HeaderWithLimit.Split(',');

    private static double? Seconds(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
