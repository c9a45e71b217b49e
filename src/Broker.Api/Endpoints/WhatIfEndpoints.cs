using Broker.Api.Auth;
using Broker.Api.Jobs;
using Broker.Api.Contracts;
using Broker.Core.Errors;
using Broker.Core.WhatIf;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

/// <summary>
/// Policy what-if (ops): replay a window of Broker's own history (or a stored trace) under the current policies and under
/// a proposal for one scope, in the background; read its progress, the summaries side by side and the jobs that move.
/// </summary>
public static class WhatIfEndpoints
{
    public static IEndpointRouteBuilder MapWhatIf(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/policies/{scope}/what-if", Start).WithName("startPolicyWhatIf").WithTags("Policies").RequireAuthorization(Policies.Operate)
            .WithSummary("Replay history under a proposed policy for this scope, next to the current one (202 + Location)")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status404NotFound);
        var runs = app.MapGroup("/v1/what-if").WithTags("Policies").RequireAuthorization(Policies.Operate);
        runs.MapGet("/{id}", Get).WithName("getPolicyWhatIf").WithSummary("A what-if's state, percent done and, once succeeded, its result")
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapGet("/{id}/changes", Changes).WithName("listPolicyWhatIfChanges").WithSummary("The jobs whose placement the proposal changes (all=true: every job), paged")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    /// <summary>A new run is queued (and audited); an identical request while one is queued or running gets that one back.</summary>
    public static async Task<Accepted<WhatIfRunResponse>> Start(string scope, WhatIfRequest request, HttpContext context, WhatIfService whatIf,
        IBackgroundJobClient jobs, CancellationToken ct)
    {
        var (run, created) = await whatIf.StartAsync(scope, request, context.Actor(), ct);
        if (created)
        {
            var id = run.Id;
            jobs.Enqueue<WhatIfJob>(j => j.RunAsync(id, CancellationToken.None));
        }
        return TypedResults.Accepted($"/v1/what-if/{run.Id}", run.ToResponse());
    }

    public static async Task<Ok<WhatIfRunResponse>> Get(string id, WhatIfService whatIf, CancellationToken ct) =>
        TypedResults.Ok((await whatIf.GetAsync(ParseId(id), ct)).ToResponse());

    public static async Task<Ok<WhatIfChangeListResponse>> Changes(string id, string? cursor, string? limit, bool? all, WhatIfService whatIf,
        CancellationToken ct)
    {
        var (after, size) = WhatIfMapping.Page(cursor, limit);
        var (items, next) = await whatIf.ChangesAsync(ParseId(id), all ?? false, after, size, ct);
        return TypedResults.Ok(new WhatIfChangeListResponse([.. items.Select(c => c.ToItem())],
            next is { } n ? WhatIfMapping.EncodeCursor(n) : null));
    }

    private static Guid ParseId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw new NotFoundException("what-if", id.Length <= 64 ? id : id[..64]);
}
