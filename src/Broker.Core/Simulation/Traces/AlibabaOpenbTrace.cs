using System.Globalization;
using Broker.Core.Capacity;
using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Traces;

/// <summary>
/// Reads an Alibaba <c>openb_pod_list_*.csv</c> (cluster-trace-gpu-v2023). Rules: GPU pods only (num_gpu ≥ 1); a
/// fractional GPU (one GPU with gpu_milli &lt; 1000) is rounded up to one whole GPU, or kept as a share of one GPU
/// (gpu_milli / 1000) when the mapping says <c>gpuShares</c>; pods never scheduled are skipped (they never ran,
/// so they have no duration); duration = deletion_time − scheduled_time (pods still "Running" at the end of observation
/// end there); submit = creation_time; team = team-N with N = hash(seed + name) mod the scenario's team count; priority and
/// spot tolerance from qos; gpu_spec names go through the scenario's equivalences; deadlines and checkpointing are
/// assigned by stable hash per the scenario's rules.
/// </summary>
public static class AlibabaOpenbTrace
{
    private static readonly string[] Required =
        ["name", "num_gpu", "gpu_milli", "gpu_spec", "qos", "creation_time", "deletion_time", "scheduled_time"];

    public static IReadOnlyList<TraceJob> Read(TextReader reader, string source, AlibabaMapping mapping,
        IReadOnlyDictionary<string, IReadOnlyList<string>> equivalences, DeadlineRule? deadlines)
    {
        var (header, column) = TraceLines.Header(reader, source, Required);
        var jobs = new List<TraceJob>();
        foreach (var (lineNumber, line) in TraceLines.NonEmpty(reader, linesRead: 1))
        {
            var f = line.Split(',');
            if (f.Length != header.Length)
            {
                throw TraceFormatException.AtLine(source, lineNumber, $"expected {header.Length} fields, found {f.Length}");
            }
            if (ParsePod(f, column, source, lineNumber, mapping, equivalences, deadlines) is { } job)
            {
                jobs.Add(job);
            }
        }
        return jobs;
    }

    private static TraceJob? ParsePod(string[] f, Dictionary<string, int> column, string source, int lineNumber,
        AlibabaMapping mapping, IReadOnlyDictionary<string, IReadOnlyList<string>> equivalences, DeadlineRule? deadlines)
    {
        string Field(string name) => f[column[name]].Trim();
        long Number(string name) => long.TryParse(Field(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : throw TraceFormatException.AtLine(source, lineNumber, $"{name} '{Field(name)}' is not a whole number");
        var gpus = (int)Number("num_gpu");
        if (gpus < 1 || Field("scheduled_time").Length == 0)
        {
            return null;
        }
        var duration = Number("deletion_time") - Number("scheduled_time");
        if (duration <= 0)
        {
            return null;
        }
        var name = Field("name");
        var key = mapping.HashSeed + name;
        var qos = Field("qos");
        var submit = Number("creation_time");
        var spotOk = mapping.SpotOkQos.Contains(qos, StringComparer.OrdinalIgnoreCase);
        var checkpoint = spotOk && duration >= mapping.CheckpointMinDurationS
            && StableHash.Unit(key, "checkpoint") < mapping.CheckpointFraction ? mapping.CheckpointIntervalS : (long?)null;
        long? deadline = deadlines is { } rule && StableHash.Unit(key, "deadline") < rule.Fraction
            ? submit + (long)Math.Ceiling(rule.SlackFactor * duration) + rule.MinSlackS
            : null;
        return new TraceJob(
            name,
            $"team-{StableHash.Of(key) % (uint)Math.Max(1, mapping.Teams)}",
            submit,
            duration,
            gpus,
            Models(Field("gpu_spec"), equivalences, source, lineNumber),
            deadline,
            spotOk,
            checkpoint,
            mapping.PriorityByQos.TryGetValue(qos, out var priority) ? priority : 0,
            GpuShare: mapping.GpuShares && gpus == 1 && Number("gpu_milli") is > 0 and < 1000 and var milli ? milli / 1000m : null);
    }

    private static string[] Models(string spec, IReadOnlyDictionary<string, IReadOnlyList<string>> equivalences, string source, int line)
    {
        if (spec.Length == 0 || spec.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
        return spec.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(raw => equivalences.TryGetValue(raw, out var mapped) ? mapped
                : throw TraceFormatException.AtLine(source, line, $"gpu_spec model '{raw}' has no entry in gpuModelEquivalences"))
            .Select(GpuModels.Normalize)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }
}
