using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Costs;
using Broker.Core.Errors;
using Broker.Core.Fleet;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Endpoints;

/// <summary>
/// Fleet views (ops; finance reads the instances): the cloud instances Broker manages with what each has cost so far, a
/// manual terminate through the normal lifecycle, and the intent rows with their last error.
/// </summary>
public static class InstancesEndpoints
{
    public static IEndpointRouteBuilder MapInstances(this IEndpointRouteBuilder app)
    {
        var instances = app.MapGroup("/v1/instances").WithTags("Instances");
        instances.MapGet("/", List).WithName("listInstances").RequireAuthorization(Policies.ReadCosts)
            .WithSummary("Cloud instances Broker manages, newest first: provider, region, market, state, team filters; live ones unless state says")
            .ProducesValidationProblem();
        instances.MapPost("/{id}/terminate", Terminate).WithName("terminateInstance").RequireAuthorization(Policies.Operate)
            .WithSummary("Terminate an instance (ops, audited, idempotent): its job is requeued by the normal lifecycle")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        app.MapGet("/v1/allocations", Allocations).WithName("listAllocations").WithTags("Allocations").RequireAuthorization(Policies.Operate)
            .WithSummary("Allocations (intent rows), newest first, with their last error: state, jobId, provider, market filters")
            .ProducesValidationProblem();
        return app;
    }

    public static async Task<Results<Ok<InstanceListResponse>, ValidationProblem>> List([AsParameters] FleetListQuery query,
        FleetQuery fleet, ComputeProviders clouds, JobCosts costs, BrokerDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (filter, errors) = query.ToFilter([.. clouds.Names], instances: true);
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The instance query is not valid");
        }
        var page = await fleet.PageAsync(filter, ct);
        var jobIds = page.Items.Select(r => r.Allocation.JobId).Distinct().ToList();
        var jobs = await db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.Id)).ToDictionaryAsync(j => j.Id, ct);
        var cost = await costs.ForSegmentsAsync([.. page.Items.Select(r => (r.Allocation, jobs[r.Allocation.JobId]))], ct);
        var now = PostgresTime.Now(clock);
        return TypedResults.Ok(new InstanceListResponse([.. page.Items.Select(r => r.ToInstance(cost[r.Allocation.Id], now))],
            page.Next is { } next ? FleetCursors.Encode(next) : null));
    }

    public static async Task<Accepted<TerminateResponse>> Terminate(string id, HttpContext context, InstanceTerminations terminations,
        CancellationToken ct)
    {
        var allocationId = Guid.TryParse(id, out var guid) ? guid : throw new NotFoundException("instance", id.Length <= 64 ? id : id[..64]);
        var a = (await terminations.TerminateAsync(allocationId, context.Actor(), ct)).Allocation;
        return TypedResults.Accepted((string?)null,
            new TerminateResponse(a.Id, JsonNaming.Wire(a.State), a.End is { } end ? JsonNaming.Wire(end) : null));
    }

    public static async Task<Results<Ok<AllocationListResponse>, ValidationProblem>> Allocations([AsParameters] FleetListQuery query,
        FleetQuery fleet, ComputeProviders clouds, CancellationToken ct)
    {
        var (filter, errors) = query.ToFilter([.. clouds.Names, "slurm"], instances: false);
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The allocation query is not valid");
        }
        var page = await fleet.PageAsync(filter, ct);
        return TypedResults.Ok(new AllocationListResponse([.. page.Items.Select(r => r.ToAllocation())],
            page.Next is { } next ? FleetCursors.Encode(next) : null));
    }
}
