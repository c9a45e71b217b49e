using System.Globalization;
using System.Text.Json;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Traces;

/// <summary>
/// Reads a Gavel conversion of one Philly virtual cluster (<c>*.trace</c>: tab-separated, no header: job_type, command,
/// num_steps_arg, needs_data_dir, total_steps, arrival_time, scale_factor). Rules: duration = ceil(total_steps / the
/// job type's V100 steps/s at its scale) from Gavel's simulation_throughputs.json (<c>v100 → "('type', scale)" → null</c>),
/// the 1-GPU figure where the scale is absent (Gavel's own rule); submit = round(arrival_time); GPUs = scale_factor (jobs
/// larger than any node are kept: the replay reports them as unplaceable); job id = file name + line number; the
/// signature is the job type; team, spot tolerance and checkpointing are drawn by stable hash per the mapping, deadlines
/// by the scenario's rule. Every job runs at priority 0 and its limit is left to the scenario's estimates.
/// </summary>
public static class GavelPhillyTrace
{
    public static IReadOnlyList<TraceJob> Read(TextReader reader, string source, PhillyThroughputs throughputs,
        PhillyMapping mapping, DeadlineRule? deadlines)
    {
        var vc = Path.GetFileNameWithoutExtension(source);
        var jobs = new List<TraceJob>();
        foreach (var (lineNumber, line) in TraceLines.NonEmpty(reader, linesRead: 0))
        {
            var f = line.Split('\t');
            if (f.Length != 7)
            {
                throw TraceFormatException.AtLine(source, lineNumber, $"expected 7 tab-separated fields, found {f.Length}");
            }
            var type = f[0].Trim();
            var steps = long.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
                ? s : throw TraceFormatException.AtLine(source, lineNumber, $"total_steps '{f[4]}' is not a whole number > 0");
            var arrival = double.TryParse(f[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && a >= 0 && double.IsFinite(a)
                ? a : throw TraceFormatException.AtLine(source, lineNumber, $"arrival_time '{f[5]}' is not a number >= 0");
            var gpus = int.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out var g) && g >= 1
                ? g : throw TraceFormatException.AtLine(source, lineNumber, $"scale_factor '{f[6]}' is not a whole number >= 1");
            var rate = throughputs.StepsPerSecond(type, gpus)
                ?? throw TraceFormatException.AtLine(source, lineNumber, $"job type '{type}' has no V100 throughput");
            var duration = Math.Max(1, (long)Math.Ceiling(steps / rate));
            var id = $"{vc}-{lineNumber:0000}";
            var key = mapping.HashSeed + id;
            var submit = (long)Math.Round(arrival);
            var spotOk = StableHash.Unit(key, "spot") < mapping.SpotOkFraction;
            var checkpoint = spotOk && duration >= mapping.CheckpointMinDurationS
                && StableHash.Unit(key, "checkpoint") < mapping.CheckpointFraction ? mapping.CheckpointIntervalS : (long?)null;
            long? deadline = deadlines is { } rule && StableHash.Unit(key, "deadline") < rule.Fraction
                ? submit + (long)Math.Ceiling(rule.SlackFactor * duration) + rule.MinSlackS
                : null;
            jobs.Add(new TraceJob(id, $"team-{StableHash.Of(key) % (uint)Math.Max(1, mapping.Teams)}", submit, duration, gpus,
                mapping.GpuModels, deadline, spotOk, checkpoint, 0, Signature: type));
        }
        return jobs;
    }
}

/// <summary>Gavel's V100 throughputs (steps/s) by (job type, scale), read from simulation_throughputs.json.</summary>
public sealed class PhillyThroughputs
{
    private readonly Dictionary<(string Type, int Scale), double> rates;

    private PhillyThroughputs(Dictionary<(string, int), double> rates) => this.rates = rates;

    public static PhillyThroughputs Parse(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var rates = new Dictionary<(string, int), double>();
            foreach (var entry in doc.RootElement.GetProperty("v100").EnumerateObject())
            {
                // Keys look like "('ResNet-18 (batch size 16)', 1)".
                var name = entry.Name;
                var comma = name.LastIndexOf(',');
                if (!name.StartsWith("('", StringComparison.Ordinal) || comma < 3
                    || !int.TryParse(name[(comma + 1)..].Trim(' ', ')'), NumberStyles.None, CultureInfo.InvariantCulture, out var scale))
                {
                    continue;
                }
                var type = name[2..comma].TrimEnd('\'');
                if (entry.Value.TryGetProperty("null", out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() > 0)
                {
                    rates[(type, scale)] = value.GetDouble();
                }
            }
            return new PhillyThroughputs(rates);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new TraceFormatException($"{source}: not Gavel's simulation_throughputs.json ({e.Message}).", e);
        }
    }

    /// <summary>The type's steps/s at its scale, else at 1 GPU (Gavel's rule), else null.</summary>
    public double? StepsPerSecond(string type, int scale) =>
        rates.TryGetValue((type, scale), out var r) ? r : rates.TryGetValue((type, 1), out var one) ? one : null;
}
