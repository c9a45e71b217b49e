using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Capacity;
using Broker.Core.Placement;
using Broker.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

public static class PlacementEndpoints
{
    public static IEndpointRouteBuilder MapPlacement(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/placement/preview", Preview).WithName("previewPlacement").RequireAuthorization(Policies.Operate).WithTags("Placement")
            .WithSummary("What the engine would decide for the current queue, with explanations; changes nothing. With a body "
                + "{gpu: {count, models, minMemoryGb}} it also says whether configured capacity could ever run such a job, and why")
            .ProducesValidationProblem();
        return app;
    }

    public sealed record PreviewRequest(GpuRequestDto? Gpu);

    /// <summary>Whether a job of the asked GPU shape could ever run here; <c>field</c> is what a submission's 422 would name.</summary>
    public sealed record FeasibilityView(bool Feasible, string? Field, string Reason, IReadOnlyList<string> Options);

    public sealed record PreviewResponse(string Strategy, DateTimeOffset Now, IReadOnlyList<DecisionView> Decisions, FeasibilityView? Feasibility);

    public static async Task<Results<Ok<PreviewResponse>, ValidationProblem>> Preview([FromBody] PreviewRequest? request,
        PlacementRound round, CapacityCheck capacity, CancellationToken ct)
    {
        FeasibilityView? feasibility = null;
        if (request?.Gpu is { } gpu)
        {
            var unknown = (gpu.Models ?? []).Where(m => string.IsNullOrWhiteSpace(m) || !GpuModels.IsKnown(m)).ToList();
            if (unknown.Count > 0)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["gpu.models"] = [$"Unknown GPU model. Known models: {string.Join(", ", GpuModels.All)}."],
                }, title: "The preview request is not valid");
            }
            var models = (gpu.Models ?? []).Select(GpuModels.Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var verdict = await capacity.CheckAsync(new GpuRequestShape(gpu.Count, models, gpu.MinMemoryGb ?? 0, gpu.Share is not null), ct);
            feasibility = new FeasibilityView(verdict.Feasible, verdict.Field, verdict.Reason, verdict.Options);
        }
        var plan = await round.PreviewAsync(ct);
        return TypedResults.Ok(new PreviewResponse(plan.Strategy, plan.Now, [.. plan.Decisions.Select(d => DecisionView.From(d, plan))], feasibility));
    }
}
