using System.Globalization;
using Broker.Core.Simulation.Replay;

namespace Broker.Core.Simulation.Output;

/// <summary>Writes one CSV row per run segment, with a fixed header and invariant formatting (byte-stable). A shared job's
/// row gives its reserved share and the GPU of the node it shared (empty for whole GPUs); a gang's row names every member
/// (nodes, or instances as job/segment/member), joined by '+'; the last column is the engine's explanation of the
/// placement that started the run (<see cref="RunSegment.Why"/>). Text fields are quoted as RFC 4180 says when they hold a
/// comma, quote or line break.</summary>
public static class DecisionLogCsv
{
    public const string Header =
        "job_id,team,gpus,submit_s,start_s,end_s,location,node,provider,region,instance_type,market,gpu_model,price_per_hour,outcome,gpu_share,shared_gpu,members,explanation";

    public static void Write(TextWriter writer, IEnumerable<RunSegment> segments)
    {
        writer.Write(Header + "\n");
        foreach (var s in segments)
        {
            writer.Write(string.Join(',',
                Text(s.JobId), Text(s.Team), N(s.Gpus), N(s.SubmitS), N(s.StartS), N(s.EndS), Text(s.Location), Text(s.Node), Text(s.Provider),
                Text(s.Region), Text(s.InstanceType), Text(s.Market), Text(s.GpuModel), s.PricePerHour.ToString("0.######", CultureInfo.InvariantCulture),
                Text(s.Outcome), s.GpuShare?.ToString("0.####", CultureInfo.InvariantCulture) ?? "", s.SharedGpu is { } g ? N(g) : "",
                Text(string.Join('+', s.Members.Select(m => m.Name))), Text(s.Why)));
            writer.Write('\n');
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(string value) => value.AsSpan().IndexOfAny(",\"\r\n") < 0
        ? value
        : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
