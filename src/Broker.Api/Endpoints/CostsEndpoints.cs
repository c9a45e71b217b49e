using Broker.Api.Auth;
using Broker.Core.Costs;
using Broker.Core.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static class CostsEndpoints
{
    public static IEndpointRouteBuilder MapCosts(this IEndpointRouteBuilder app)
    {
        var costs = app.MapGroup("/v1/costs").WithTags("Costs");
        costs.MapGet("/onprem-rates", Rates).RequireAuthorization(Policies.ReadCosts)
            .WithSummary("On-prem chargeback rates (USD per GPU-hour), each effective from its time");
        costs.MapPost("/onprem-rates", AddRate).RequireAuthorization(Policies.Operate)
            .WithSummary("Add an on-prem rate effective from a time (now or later)")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public sealed record RateResponse(DateTimeOffset? EffectiveFrom, decimal UsdPerGpuHour);

    public sealed record RatesResponse(decimal DefaultUsdPerGpuHour, decimal CurrentUsdPerGpuHour, IReadOnlyList<RateResponse> Rates);

    public sealed record AddRateRequest(DateTimeOffset? EffectiveFrom, decimal? UsdPerGpuHour);

    public static async Task<Ok<RatesResponse>> Rates(OnPremRates rates, CancellationToken ct)
    {
        var list = await rates.ListAsync(ct);
        return TypedResults.Ok(new RatesResponse(Usd.Trim(rates.DefaultRate), Usd.Trim(await rates.CurrentAsync(ct)),
            [.. list.Select(r => new RateResponse(r.EffectiveFrom, Usd.Trim(r.UsdPerGpuHour)))]));
    }

    public static async Task<Created<RateResponse>> AddRate(AddRateRequest request, OnPremRates rates, CancellationToken ct)
    {
        var effectiveFrom = request.EffectiveFrom ?? throw RuleViolationException.For("effectiveFrom", "effectiveFrom is required.");
        var usd = request.UsdPerGpuHour ?? throw RuleViolationException.For("usdPerGpuHour", "usdPerGpuHour is required.");
        var rate = await rates.AddAsync(effectiveFrom, usd, ct);
        return TypedResults.Created("/v1/costs/onprem-rates", new RateResponse(rate.EffectiveFrom, Usd.Trim(rate.UsdPerGpuHour)));
    }
}
