namespace Broker.Api.Contracts;

/// <summary>
/// The <c>from</c>/<c>to</c>/<c>step</c> of a time-bucketed report, checked before any query runs: both times in
/// <see cref="QueryTimes"/>' range, <c>to</c> after <c>from</c>, a step <see cref="Durations"/> accepts, and at most
/// <see cref="MaxBuckets"/> steps. Every mistake is a 400 naming its parameter.
/// </summary>
public sealed record ReportWindow(DateTimeOffset From, DateTimeOffset To, TimeSpan Step)
{
    /// <summary>The most time steps a report may have (each step is one bucket per GPU model).</summary>
    public const int MaxBuckets = Broker.Core.OnPrem.UtilizationReport.MaxBuckets;

    public static (ReportWindow? Window, Dictionary<string, string[]> Errors) Parse(string? from, string? to, string? step,
        DateTimeOffset now, TimeSpan defaultSpan, string defaultStep)
    {
        var errors = new Dictionary<string, string[]>();
        var start = QueryTimes.Parse(from, "from", errors);
        var end = QueryTimes.Parse(to, "to", errors);
        if (!Durations.TryParse(step ?? defaultStep, out var width))
        {
            errors["step"] = [Durations.Rule];
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var last = end ?? now;
        var first = start ?? (last - QueryTimes.Earliest > defaultSpan ? last - defaultSpan : QueryTimes.Earliest);
        if (last <= first)
        {
            errors["to"] = ["'to' must be after 'from'."];
            return (null, errors);
        }
        var buckets = (long)Math.Ceiling((last - first) / width);
        if (buckets > MaxBuckets)
        {
            errors["step"] = [$"This window and step give {buckets} buckets; a report has at most {MaxBuckets}. Use a larger step or a shorter window."];
            return (null, errors);
        }
        return (new ReportWindow(first, last, width), errors);
    }
}
