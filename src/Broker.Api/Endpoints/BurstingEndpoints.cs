using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Policies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

/// <summary>
/// The kill switch and per-provider drains (ops): no new cloud launch after the next pass, and provisioning already queued
/// withholds its launch; running instances continue.
/// </summary>
public static class BurstingEndpoints
{
    public static IEndpointRouteBuilder MapBursting(this IEndpointRouteBuilder app)
    {
        var bursting = app.MapGroup("/v1/bursting").WithTags("Bursting").RequireAuthorization(Policies.Operate);
        bursting.MapGet("/", Get).WithName("getBurstingState").WithSummary("Whether bursting runs, and which providers are drained");
        bursting.MapPost("/stop", Stop).WithName("stopBursting").WithSummary("Kill switch: no new cloud launch from the next pass on (idempotent)");
        bursting.MapPost("/resume", Resume).WithName("resumeBursting").WithSummary("Lift the kill switch (idempotent)");
        var providers = app.MapGroup("/v1/providers").WithTags("Providers").RequireAuthorization(Policies.Operate);
        providers.MapPost("/{name}/drain", Drain).WithName("drainProvider").WithSummary("No new launch on this provider; its running instances continue")
            .ProducesProblem(StatusCodes.Status404NotFound);
        providers.MapPost("/{name}/undrain", Undrain).WithName("undrainProvider").WithSummary("Launch on this provider again").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<BurstingResponse>> Get(CloudStops stops, CancellationToken ct) => TypedResults.Ok(await StateAsync(stops, ct));

    public static async Task<Ok<BurstingResponse>> Stop([FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)]
        CloudStopRequest? request, HttpContext context, CloudStops stops, CancellationToken ct)
    {
        await stops.StopAsync(null, request?.Reason, context.Actor(), ct);
        return TypedResults.Ok(await StateAsync(stops, ct));
    }

    public static async Task<Ok<BurstingResponse>> Resume(HttpContext context, CloudStops stops, CancellationToken ct)
    {
        await stops.ResumeAsync(null, context.Actor(), ct);
        return TypedResults.Ok(await StateAsync(stops, ct));
    }

    public static async Task<Ok<BurstingResponse>> Drain(string name, [FromBody(EmptyBodyBehavior =
        Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] CloudStopRequest? request, HttpContext context, CloudStops stops,
        CancellationToken ct)
    {
        await stops.StopAsync(name, request?.Reason, context.Actor(), ct);
        return TypedResults.Ok(await StateAsync(stops, ct));
    }

    public static async Task<Ok<BurstingResponse>> Undrain(string name, HttpContext context, CloudStops stops, CancellationToken ct)
    {
        await stops.ResumeAsync(name, context.Actor(), ct);
        return TypedResults.Ok(await StateAsync(stops, ct));
    }

    public static async Task<BurstingResponse> StateAsync(CloudStops stops, CancellationToken ct)
    {
        var all = (await stops.ListAsync(ct)).Select(s => new CloudStopResponse(s.Scope, s.Reason, s.Since, s.ByKey)).ToList();
        var stopped = all.FirstOrDefault(s => s.Scope == CloudStop.AllScope);
        return new BurstingResponse(stopped is null, stopped, [.. all.Where(s => s.Scope != CloudStop.AllScope)]);
    }
}
