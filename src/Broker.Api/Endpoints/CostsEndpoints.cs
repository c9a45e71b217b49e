using System.Security.Claims;
using System.Text.Json;
using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Costs;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

public static class CostsEndpoints
{
    public static IEndpointRouteBuilder MapCosts(this IEndpointRouteBuilder app)
    {
        var costs = app.MapGroup("/v1/costs").WithTags("Costs");
        costs.MapGet("/onprem-rates", Rates).WithName("listOnPremRates").RequireAuthorization(Policies.ReadCosts)
            .WithSummary("On-prem chargeback rates (USD per GPU-hour), each effective from its time");
        costs.MapPost("/onprem-rates", AddRate).WithName("addOnPremRate").RequireAuthorization(Policies.Operate)
            .WithSummary("Add an on-prem rate effective from a time (now or later)")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);
        costs.MapGet("/entries", Entries).WithName("listCostEntries").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("A job's ledger entries (jobId required; a submitter sees its own team's jobs only)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        costs.MapPost("/entries/{id}/corrections", Correct).WithName("correctCostEntry").RequireAuthorization(p => p.RequireRole(Roles.Finance))
            .WithMetadata(new RequestSizeLimitAttribute(4 * 1024))
            .WithSummary("Correct what an entry cost (finance): appends a correction entry with the difference; the entry is never changed")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public sealed record CostEntryResponse(long Id, Guid AllocationId, int Part, string Kind, long? CorrectsEntryId, Guid JobId, string Team,
        string Provider, string? Region, string? Zone, string? InstanceType, string? Node, string Market, string GpuModel, int GpuCount,
        DateTimeOffset StartedAt, DateTimeOffset EndedAt, decimal BilledSeconds, decimal GpuHours, decimal PricePerHour, decimal CostUsd,
        decimal? OnDemandPricePerHour, decimal OnDemandCostUsd, IReadOnlyDictionary<string, string> Labels, string? Note, DateTimeOffset RecordedAt);

    public sealed record CostEntryListResponse(IReadOnlyList<CostEntryResponse> Items);

    public sealed record CorrectionRequest(decimal? CostUsd, string? Reason);

    public static async Task<Ok<CostEntryListResponse>> Entries(string? jobId, ClaimsPrincipal user, JobService jobs, CostCorrections ledger,
        CancellationToken ct)
    {
        var job = await jobs.GetAsync(JobIds.Parse(jobId ?? throw RuleViolationException.For("jobId", "jobId is required.")), user.TeamScope(), ct);
        return TypedResults.Ok(new CostEntryListResponse([.. (await ledger.ForJobAsync(job.Id, ct)).Select(ToResponse)]));
    }

    public static async Task<Created<CostEntryResponse>> Correct(long id, CorrectionRequest request, HttpContext context, CostCorrections ledger,
        CancellationToken ct)
    {
        var cost = request.CostUsd ?? throw RuleViolationException.For("costUsd", "costUsd is required.");
        var correction = await ledger.CorrectAsync(id, cost, request.Reason ?? "", context.Actor(), ct);
        return TypedResults.Created($"/v1/costs/entries?jobId={correction.JobId}", ToResponse(correction));
    }

    private static CostEntryResponse ToResponse(CostEntry e) => new(e.Id, e.AllocationId, e.Part, JsonNaming.Wire(e.Kind), e.CorrectsEntryId,
        e.JobId, e.Team, e.Provider, e.Region, e.Zone, e.InstanceType, e.Node, JsonNaming.Wire(e.Market), e.GpuModel, e.GpuCount, e.StartedAt,
        e.EndedAt, Usd.Trim(e.BilledSeconds), Usd.Trim(e.GpuHours), Usd.Trim(e.PricePerHour), Usd.Trim(e.Cost),
        e.OnDemandPricePerHour is { } od ? Usd.Trim(od) : null, Usd.Trim(e.OnDemandCost),
        JsonSerializer.Deserialize<Dictionary<string, string>>(e.Labels) ?? [], e.Note, e.RecordedAt);

    public sealed record RateResponse(DateTimeOffset? EffectiveFrom, decimal UsdPerGpuHour);

    public sealed record RatesResponse(decimal DefaultUsdPerGpuHour, decimal CurrentUsdPerGpuHour, IReadOnlyList<RateResponse> Rates);

    public sealed record AddRateRequest(DateTimeOffset? EffectiveFrom, decimal? UsdPerGpuHour);

    public static async Task<Ok<RatesResponse>> Rates(OnPremRates rates, CancellationToken ct)
    {
        var list = await rates.ListAsync(ct);
        return TypedResults.Ok(new RatesResponse(Usd.Trim(rates.DefaultRate), Usd.Trim(await rates.CurrentAsync(ct)),
            [.. list.Select(r => new RateResponse(r.EffectiveFrom, Usd.Trim(r.UsdPerGpuHour)))]));
    }

    public static async Task<Created<RateResponse>> AddRate(AddRateRequest request, HttpContext context, OnPremRates rates, CancellationToken ct)
    {
        var effectiveFrom = request.EffectiveFrom ?? throw RuleViolationException.For("effectiveFrom", "effectiveFrom is required.");
        var usd = request.UsdPerGpuHour ?? throw RuleViolationException.For("usdPerGpuHour", "usdPerGpuHour is required.");
        var rate = await rates.AddAsync(effectiveFrom, usd, context.Actor(), ct);
        return TypedResults.Created("/v1/costs/onprem-rates", new RateResponse(rate.EffectiveFrom, Usd.Trim(rate.UsdPerGpuHour)));
    }
}
