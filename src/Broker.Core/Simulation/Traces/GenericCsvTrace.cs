using System.Globalization;
using Broker.Core.Capacity;

namespace Broker.Core.Simulation.Traces;

/// <summary>
/// The generic job trace: a CSV with exactly the header
/// <c>job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s</c>. <c>gpu_models</c> is
/// '|'-separated (empty for any), <c>deadline_s</c> and <c>checkpoint_s</c> are empty for none, <c>spot_ok</c> is
/// true|false. Seconds may carry decimals (durations round up, times round to the nearest second). Two optional columns
/// may follow, in this order: <c>limit_s</c> (the user's requested runtime) and <c>gpu_share</c> (a fraction of one GPU,
/// 0 &lt; share &lt; 1 with at most 4 decimals, only with gpus = 1; empty for whole GPUs).
/// </summary>
public static class GenericCsvTrace
{
    public const string Header = "job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s";

    /// <summary>The same with the user's requested runtime as a tenth column (for <c>estimates.mode = trace</c>).</summary>
    public const string HeaderWithLimit = Header + ",limit_s";

    private static readonly string[] Headers = [Header, HeaderWithLimit, Header + ",gpu_share", HeaderWithLimit + ",gpu_share"];

    public static IReadOnlyList<TraceJob> Read(TextReader reader, string source)
    {
        var first = reader.ReadLine()?.TrimEnd('\r').TrimStart('\uFEFF');
        if (first is null || !Headers.Contains(first, StringComparer.Ordinal))
        {
            throw TraceFormatException.AtLine(source, 1, $"header must be exactly '{Header}' (optionally ',limit_s', then optionally ',gpu_share') but was '{first}'");
        }
        var names = first.Split(',');
        var jobs = new List<TraceJob>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (lineNumber, line) in TraceLines.NonEmpty(reader, linesRead: 1))
        {
            var job = ParseRow(line, source, lineNumber, names);
            if (!seen.Add(job.JobId))
            {
                throw TraceFormatException.AtLine(source, lineNumber, $"duplicate job_id '{job.JobId}'");
            }
            jobs.Add(job);
        }
        return jobs;
    }

    /// <summary>Writes the jobs; the <c>gpu_share</c> column only when some job has a share.</summary>
    public static void Write(TextWriter writer, IEnumerable<TraceJob> jobs)
    {
        var all = jobs.ToArray();
        var shares = all.Any(j => j.GpuShare is not null);
        writer.Write(Header + (shares ? ",gpu_share" : "") + "\n");
        foreach (var j in all)
        {
            writer.Write(string.Join(',', j.JobId, j.Team, Num(j.SubmitS), Num(j.DurationS), Num(j.Gpus),
                string.Join('|', j.GpuModels), j.DeadlineS is { } d ? Num(d) : "", j.SpotOk ? "true" : "false",
                j.CheckpointS is { } c ? Num(c) : "") + (shares ? "," + j.GpuShare?.ToString("0.####", CultureInfo.InvariantCulture) : "") + "\n");
        }
    }

    private static TraceJob ParseRow(string line, string source, int lineNumber, string[] names)
    {
        var f = line.Split(',');
        if (f.Length != names.Length)
        {
            throw TraceFormatException.AtLine(source, lineNumber, $"expected {names.Length} fields, found {f.Length}");
        }
        string Optional(string column) => Array.IndexOf(names, column) is >= 0 and var i ? f[i].Trim() : "";
        TraceFormatException Bad(string column, string problem) =>
            TraceFormatException.AtLine(source, lineNumber, $"{column} '{f[Array.IndexOf(names, column)]}' {problem}");
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
        long? limit = Optional("limit_s").Length == 0 ? null
            : Seconds(Optional("limit_s")) is { } l && l > 0 ? (long)Math.Ceiling(l) : throw Bad("limit_s", "must be empty or a number > 0");
        decimal? share = Optional("gpu_share").Length == 0 ? null
            : decimal.TryParse(Optional("gpu_share"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var sh)
                && sh is > 0m and < 1m && sh == Math.Round(sh, 4) && gpus == 1
                ? sh : throw Bad("gpu_share", "must be empty or a share of one GPU (0 < share < 1, at most 4 decimals, gpus = 1)");
        return new TraceJob(id, team, submit, duration, gpus, models, deadline, spot, checkpoint, LimitS: limit, GpuShare: share);
    }

    private static double? Seconds(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
