using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Costs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static class ReportsEndpoints
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/v1/reports").WithTags("Reports");
        reports.MapGet("/idle", Idle).RequireAuthorization(Policies.ReadCosts)
            .WithSummary("Idle on-prem GPU-hours and their cost per node, GPU model and UTC hour (from, to snapped to whole hours)")
            .ProducesValidationProblem();
        return app;
    }

    public sealed record IdleRow(DateTimeOffset Hour, string Node, string GpuModel, decimal UsdPerGpuHour, decimal UsedGpuHours,
        decimal AvailableGpuHours, decimal IdleGpuHours, decimal IdleCostUsd);

    public sealed record IdleResponse(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<IdleRow> Rows, decimal IdleGpuHours, decimal IdleCostUsd);

    public static async Task<Results<Ok<IdleResponse>, ValidationProblem>> Idle(DateTimeOffset? from, DateTimeOffset? to, string? node,
        OnPremIdleCost idle, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (start, end) = ReportRange.Parse(from, to, clock.GetUtcNow(), errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The report query is not valid");
        }
        var (snappedFrom, snappedTo) = OnPremIdleCost.Snap(start, end);
        var rows = await idle.HoursAsync(start, end, node, ct);
        return TypedResults.Ok(new IdleResponse(snappedFrom, snappedTo,
            [.. rows.Select(r => new IdleRow(r.Hour, r.Node, r.GpuModel, Usd.Trim(r.UsdPerGpuHour), Usd.Trim(Usd.Round(r.UsedGpuMinutes / 60m)),
                Usd.Trim(Usd.Round(r.TotalGpuMinutes / 60m)), Usd.Trim(r.IdleGpuHours), Usd.Trim(r.IdleCost)))],
            Usd.Trim(rows.Sum(r => r.IdleGpuHours)), Usd.Trim(rows.Sum(r => r.IdleCost))));
    }
}
