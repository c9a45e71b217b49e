using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Broker.Api.Hosting;

/// <summary>
/// One sentence per tag (the endpoints' <c>.WithTags(...)</c>) for the reference page. A new tag needs a line here: the
/// OpenAPI lint test fails on a tag without a description.
/// </summary>
public sealed class TagDescriptionsTransformer : IOpenApiDocumentTransformer
{
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Jobs"] = "Submit GPU jobs, list and read them with their timeline, cost and logs, and cancel them.",
        ["API keys"] = "Create, list and revoke API keys (admin), and read the calling key.",
        ["Placement"] = "What the placement engine would decide for the current queue, without changing anything (ops).",
        ["Audit"] = "The append-only record of every manual or policy change, with who made it (ops).",
        ["Instances"] = "Cloud instances Broker manages, and the callbacks instances and Slurm jobs post their events and logs to.",
        ["Allocations"] = "The intent rows that carry placements out on-prem or in the cloud, with their last error (ops).",
        ["Policies"] = "Burst policies per scope (global or team), their versions and rollbacks, and what-if replays of a proposal.",
        ["Offers"] = "Cloud GPU offers per market with prices, spot interruption estimates and live capacity blocks.",
        ["Providers"] = "Cloud providers' health, capacity blocks and price refreshes, and draining one of them (ops).",
        ["On-prem"] = "On-prem Slurm nodes and their GPU utilization.",
        ["Bursting"] = "The kill switch that stops new cloud launches, and lifting it (ops).",
        ["Costs"] = "The cost ledger: on-prem chargeback rates, a job's entries and finance's corrections.",
        ["Reports"] = "Cost, utilization, idle and monthly summary reports from the ledger (JSON or CSV).",
        ["Secrets"] = "Secrets ops register for jobs to use by name (values encrypted at rest, never shown again).",
        ["Budgets"] = "Team budgets per period with soft and hard thresholds, and the events when they are crossed.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && Descriptions.TryGetValue(name, out var description))
            {
                tag.Description ??= description;
            }
        }
        return Task.CompletedTask;
    }
}
