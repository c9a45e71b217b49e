using Broker.Api.Auth;
using Broker.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static class PlacementEndpoints
{
    public static IEndpointRouteBuilder MapPlacement(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/placement/preview", Preview).RequireAuthorization(Policies.Operate).WithTags("Placement")
            .WithSummary("What the engine would decide for the current queue, with explanations; changes nothing");
        return app;
    }

    public sealed record PreviewResponse(string Strategy, DateTimeOffset Now, IReadOnlyList<DecisionView> Decisions);

    public static async Task<Ok<PreviewResponse>> Preview(PlacementRound round, CancellationToken ct)
    {
        var plan = await round.PreviewAsync(ct);
        return TypedResults.Ok(new PreviewResponse(plan.Strategy, plan.Now, [.. plan.Decisions.Select(d => DecisionView.From(d, plan))]));
    }
}
