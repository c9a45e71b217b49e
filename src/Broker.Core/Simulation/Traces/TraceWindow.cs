using Broker.Core.Simulation.Scenarios;

namespace Broker.Core.Simulation.Traces;

/// <summary>The replayed slice of a trace: jobs submitted in [StartS, EndS).</summary>
public sealed record TraceWindow(long StartS, long EndS)
{
    public static TraceWindow For(TimeWindow window, IReadOnlyList<TraceJob> jobs)
    {
        if (jobs.Count == 0)
        {
            return new TraceWindow(window.StartS ?? 0, window.EndS ?? 0);
        }
        var last = jobs.Max(j => j.SubmitS) + 1;
        if (window.LastDays is { } days)
        {
            return new TraceWindow(last - (long)Math.Round(days * 86400), last);
        }
        return new TraceWindow(window.StartS ?? jobs.Min(j => j.SubmitS), window.EndS ?? last);
    }

    public IReadOnlyList<TraceJob> Select(IEnumerable<TraceJob> jobs) =>
        jobs.Where(j => j.SubmitS >= StartS && j.SubmitS < EndS)
            .OrderBy(j => j.SubmitS).ThenBy(j => j.JobId, StringComparer.Ordinal).ToArray();
}
