using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.OnPrem;
using Broker.Core.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Broker.Api.Endpoints;

public static class OnPremEndpoints
{
    public static IEndpointRouteBuilder MapOnPrem(this IEndpointRouteBuilder app)
    {
        var onprem = app.MapGroup("/v1/onprem").WithTags("On-prem");
        onprem.MapGet("/nodes", Nodes).WithName("listOnPremNodes").RequireAuthorization(Policies.Operate)
            .WithSummary("On-prem nodes with GPU model, total/used/idle GPUs, state and when they were last seen");
        onprem.MapGet("/utilization", Utilization).WithName("getOnPremUtilization").RequireAuthorization(Policies.ReadCosts)
            .WithSummary("GPU-hours used vs available per step and GPU model (from, to: ISO 8601 times; step: 15m, 1h, 1d)")
            .ProducesValidationProblem();
        return app;
    }

    public sealed record NodeResponse(string Name, string GpuModel, int GpuTotal, int GpuUsed, int GpuIdle, string State,
        bool Schedulable, bool Present, DateTimeOffset LastSeenAt);

    public static async Task<Ok<NodeResponse[]>> Nodes(BrokerDbContext db, CancellationToken ct)
    {
        var nodes = await db.OnPremNodes.AsNoTracking().OrderBy(n => n.Name).ToListAsync(ct);
        return TypedResults.Ok(nodes.Select(n => new NodeResponse(n.Name, n.GpuModel, n.GpuTotal, n.GpuUsed,
            Math.Max(0, n.GpuTotal - n.GpuUsed), JsonNaming.Wire(n.State), n.IsSchedulable, n.Present, n.LastSeenAt)).ToArray());
    }

    public static async Task<Results<Ok<UtilizationReport.Report>, ValidationProblem>> Utilization(string? from,
        string? to, string? step, UtilizationReport report, TimeProvider clock, CancellationToken ct)
    {
        var (window, errors) = ReportWindow.Parse(from, to, step, clock.GetUtcNow(), TimeSpan.FromHours(24), "1h");
        if (window is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The report window is not valid");
        }
        return TypedResults.Ok(await report.BuildAsync(window.From, window.To, window.Step, ct));
    }
}
