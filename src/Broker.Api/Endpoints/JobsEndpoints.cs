using System.Security.Claims;
using Broker.Api.Auth;
using Broker.Api.Jobs;
using Broker.Api.Contracts;
using Broker.Core.Costs;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Broker.Core.Persistence;
using Broker.Core.Placement;
using Broker.Core.Prediction;
using Broker.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

public static class JobsEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/v1/jobs").WithTags("Jobs");
        jobs.MapPost("/", Submit).WithName("submitJob").RequireAuthorization(Policies.SubmitJobs)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithSummary("Submit a GPU job for the caller's team")
            .ProducesValidationProblem().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status409Conflict);
        jobs.MapGet("/{id}", Get).WithName("getJob").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("A job with its state and timeline").ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapGet("/", List).WithName("listJobs").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("Jobs, newest first, with filters and keyset paging").ProducesValidationProblem();
        jobs.MapPost("/{id}/cancel", Cancel).WithName("cancelJob").RequireAuthorization(Policies.CancelJobs)
            .WithSummary("Cancel a job (idempotent)").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<Created<JobResponse>, Ok<JobResponse>, ValidationProblem>> Submit(
        SubmitJobRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal user, JobService jobs, JobFitCheck fit, JobCosts costs, PlacementTrigger placement, CapacityCheck capacity,
        TimeProvider clock, BrokerDbContext db,
        CancellationToken ct)
    {
        var errors = SubmitJobRules.Check(request, clock.GetUtcNow());
        if (idempotencyKey is not null && !IdempotencyKeys.IsValid(idempotencyKey))
        {
            errors["Idempotency-Key"] = [IdempotencyKeys.Rule];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The job submission is not valid");
        }
        GpuShapeRules.Enforce(request.Gpu);
        var submission = request.ToSubmission();
        // The capacity checks judge a catalog snapshot the process keeps a few seconds (SubmitCapacityCatalog), read outside
        // the transaction so a submit holds no transaction while the catalog is read.
        var verdict = await capacity.CheckAsync(new GpuRequestShape(submission.GpuCount, submission.GpuModels, submission.MinGpuMemoryGb ?? 0, submission.GpuShare is not null), ct);
        if (!verdict.Feasible)
        {
            // Accepting it would only make it wait forever: no configured node set or instance could ever hold it (ADR 0012).
            throw new RuleViolationException($"No configured capacity can ever run this job: {verdict.Reason}.",
                new Dictionary<string, string[]> { [verdict.Field!] = [verdict.Reason] });
        }
        var team = user.Team() ?? throw new InvalidOperationException("Submitter keys always carry a team.");
        await fit.EnsureSomeCapacityHoldsAsync(submission, ct);
        // The idempotency look-up and the insert share one transaction: one commit per submit.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await jobs.SubmitAsync(team, submission, idempotencyKey, ct);
        var body = result.Job.ToResponse(withTimeline: true).WithSegments(result.Created ? [] : await jobs.SegmentsAsync(result.Job.Id, ct))
            .WithCost(result.Created ? JobCost.None : await costs.ForAsync(result.Job, ct));
        await tx.CommitAsync(ct);
        if (result.Created)
        {
            placement.Request();
        }
        return result.Created ? TypedResults.Created($"/v1/jobs/{body.Id}", body) : TypedResults.Ok(body);
    }

    public static async Task<Ok<JobResponse>> Get(string id, ClaimsPrincipal user, JobService jobs, JobCosts costs,
        RuntimePredictions runtimes, CancellationToken ct)
    {
        var job = await jobs.GetAsync(JobIds.Parse(id), user.TeamScope(), ct);
        return TypedResults.Ok(job.ToResponse(withTimeline: true).WithSegments(await jobs.SegmentsAsync(job.Id, ct))
            .WithCost(await costs.ForAsync(job, ct)).WithRuntime(await runtimes.ForJobAsync(job.Id, ct)));
    }

    public static async Task<Results<Ok<JobListResponse>, ValidationProblem>> List(
        [AsParameters] JobListQuery query, ClaimsPrincipal user, JobService jobs, CancellationToken ct)
    {
        var (filter, errors) = query.ToFilter(user);
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The list query is not valid");
        }
        var page = await jobs.ListAsync(filter, ct);
        return TypedResults.Ok(new JobListResponse(
            [.. page.Items.Select(j => j.ToResponse(withTimeline: false))],
            page.NextSeq is { } next ? JobCursor.Encode(next) : null));
    }

    /// <summary>A submitter cancels its own team's jobs; ops cancelling a team's job is a manual action, audited.</summary>
    public static async Task<Ok<JobResponse>> Cancel(string id, HttpContext context, JobService jobs, CancellationToken ct)
    {
        var user = context.User;
        var scope = user.TeamScope();
        var job = await jobs.CancelAsync(JobIds.Parse(id), scope, ct, scope is null ? context.Actor() : null);
        return TypedResults.Ok(job.ToResponse(withTimeline: true).WithSegments(await jobs.SegmentsAsync(job.Id, ct)));
    }
}
