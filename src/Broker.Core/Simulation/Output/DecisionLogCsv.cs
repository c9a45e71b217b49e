using System.Globalization;
using Broker.Core.Simulation.Replay;

namespace Broker.Core.Simulation.Output;

/// <summary>Writes one CSV row per run segment, with a fixed header and invariant formatting (byte-stable). A shared job's
/// row gives its reserved share and the GPU of the node it shared (empty for whole GPUs); a gang's row names every member
/// (nodes, or instances as job/segment/member), joined by '+'.</summary>
public static class DecisionLogCsv
{
    public const string Header =
        "job_id,team,gpus,submit_s,start_s,end_s,location,node,provider,region,instance_type,market,gpu_model,price_per_hour,outcome,gpu_share,shared_gpu,members";

    public static void Write(TextWriter writer, IEnumerable<RunSegment> segments)
    {
        writer.Write(Header + "\n");
        foreach (var s in segments)
        {
            writer.Write(string.Join(',',
                s.JobId, s.Team, N(s.Gpus), N(s.SubmitS), N(s.StartS), N(s.EndS), s.Location, s.Node, s.Provider, s.Region,
                s.InstanceType, s.Market, s.GpuModel, s.PricePerHour.ToString("0.######", CultureInfo.InvariantCulture), s.Outcome,
                s.GpuShare?.ToString("0.####", CultureInfo.InvariantCulture) ?? "", s.SharedGpu is { } g ? N(g) : "", string.Join('+', s.Members.Select(m => m.Name))));
            writer.Write('\n');
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
