using Broker.Cli.Specs;

namespace Broker.Cli.Api;

/// <summary>
/// One operation of Broker's API the CLI calls: method, path template (as in the OpenAPI document), the query parameters
/// it may send, and the types it sends and reads. The client builds every request from one of these, and the contract
/// test checks each against Broker's real OpenAPI document, so the CLI cannot call what the API does not have.
/// </summary>
public sealed record ApiCall(string Method, string Path, Type? Response, IReadOnlyList<string> Query, Type? Body = null)
{
    public string Resolve(string? id = null) => id is null ? Path : Path.Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal);
}

public static class ApiCalls
{
    public static readonly ApiCall Me = new("GET", "/v1/me", typeof(MeView), []);

    public static readonly ApiCall SubmitJob = new("POST", "/v1/jobs", typeof(JobView), [], typeof(JobSpec));

    public static readonly ApiCall GetJob = new("GET", "/v1/jobs/{id}", typeof(JobView), []);

    public static readonly ApiCall ListJobs = new("GET", "/v1/jobs", typeof(JobPage),
        ["state", "team", "label", "submittedFrom", "submittedTo", "cursor", "limit"]);

    public static readonly ApiCall CancelJob = new("POST", "/v1/jobs/{id}/cancel", typeof(JobView), []);

    /// <summary>With <c>follow=true</c> the answer is Server-Sent Events whose <c>line</c> events are <see cref="LogLineView"/>s.</summary>
    public static readonly ApiCall JobLogs = new("GET", "/v1/jobs/{id}/logs", typeof(LogPage), ["segment", "tail", "follow"]);

    public static readonly ApiCall CostSummary = new("GET", "/v1/reports/summary", typeof(CostSummaryView), ["month"]);

    public static readonly ApiCall Offers = new("GET", "/v1/offers", typeof(OfferPage),
        ["gpuModel", "minGpus", "market", "provider", "region", "limit"]);

    public static IReadOnlyList<ApiCall> All { get; } = [Me, SubmitJob, GetJob, ListJobs, CancelJob, JobLogs, CostSummary, Offers];
}
