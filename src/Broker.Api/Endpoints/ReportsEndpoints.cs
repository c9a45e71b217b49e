using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Costs.Idle;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

public static partial class ReportsEndpoints
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/v1/reports").WithTags("Reports");
        reports.MapGet("/costs", Costs).WithName("getCostReport").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("GPU-hours, cost, on-demand equivalent, savings and entries per group (groupBy: team, provider, region, market, " +
                "instanceType, gpuModel, label:<key>, day, month); JSON, or CSV with Accept: text/csv or format=csv. A submitter sees its own team.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        reports.MapGet("/utilization", Utilization).WithName("getUtilizationReport").RequireAuthorization(Policies.ReadCosts)
            .WithSummary("On-prem GPU-hours used vs available per step and GPU model with idle cost; cloud GPU-hours by market; on-prem share")
            .ProducesValidationProblem();
        reports.MapGet("/summary", Summary).WithName("getMonthlySummary").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("A month (month=YYYY-MM): spend by team against budget, savings, top jobs, idle on-prem cost, forecast. A submitter sees its own team.")
            .ProducesValidationProblem();
        reports.MapGet("/idle", Idle).WithName("getIdleReport").RequireAuthorization(Policies.ReadCosts)
            .WithSummary("Idle on-prem GPU-hours and their cost per node, GPU model and UTC hour (from, to snapped to whole hours)")
            .ProducesValidationProblem();
        return app;
    }

    public static async Task<Results<Ok<CostReportResponse>, PushStreamHttpResult, ValidationProblem>> Costs(DateTimeOffset? from,
        DateTimeOffset? to, string[]? groupBy, string? team, string? format, ClaimsPrincipal user, HttpContext http, CostReport report,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (start, end) = ReportRange.Parse(from, to, clock.GetUtcNow(), errors);
        var groupings = CostGrouping.TryParse(groupBy ?? [], out var groupingError);
        if (groupingError is not null)
        {
            errors["groupBy"] = [groupingError];
        }
        var csv = format?.ToLowerInvariant() switch
        {
            "csv" => true,
            "json" => false,
            null => http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)),
            _ => AddError(errors, "format", "The format is json or csv."),
        };
        var scope = Scope(team, user, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The report query is not valid");
        }
        var query = new CostQuery(start, end, groupings!, scope);
        if (await report.RunAsync(query, ct) is not { } rows)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["groupBy"] = [$"The report has more than {CostReport.MaxRows} rows; narrow the range or the grouping."],
            }, title: "The report is too large");
        }
        if (!csv)
        {
            return TypedResults.Ok(rows.ToResponse(query));
        }
        var name = $"costs-{start:yyyyMMddTHHmmssZ}-{end:yyyyMMddTHHmmssZ}.csv";
        return TypedResults.Stream(body => CostCsv.WriteAsync(body, rows, query, ct), CostCsv.ContentType, name);
    }

    public static async Task<Results<Ok<UtilizationResponse>, ValidationProblem>> Utilization(DateTimeOffset? from, DateTimeOffset? to,
        string? step, FleetUtilization utilization, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (start, end) = ReportRange.Parse(from, to, clock.GetUtcNow(), errors);
        var text = step ?? "1d";
        var width = TimeSpan.Zero;
        if (text.Length > 6 || !Durations.TryParse(text, out width) || width < TimeSpan.FromHours(1) || width.Ticks % TimeSpan.TicksPerHour != 0)
        {
            errors["step"] = ["The step is a whole number of hours or days (1h, 6h, 1d), at least 1h."];
        }
        else if (errors.Count == 0 && (end - start) / width > FleetUtilization.MaxBuckets)
        {
            errors["step"] = [$"The step gives at most {FleetUtilization.MaxBuckets} buckets over the range."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The report query is not valid");
        }
        return await utilization.BuildAsync(start, end, width, ct) is { } result
            ? TypedResults.Ok(result.ToResponse(text))
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["The report is too large; narrow the range."] });
    }

    public static async Task<Results<Ok<SummaryResponse>, ValidationProblem>> Summary(string? month, ClaimsPrincipal user,
        CostSummary summary, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var parsed = new DateOnly(now.Year, now.Month, 1);
        if (month is not null)
        {
            if (month.Length != 7 || !MonthPattern().IsMatch(month)
                || !DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed)
                || parsed.Year is < 2000 or > 2099)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["month"] = ["Use month=YYYY-MM, between 2000 and 2099."] });
            }
        }
        return await summary.BuildAsync(parsed, user.TeamScope(), ct) is { } result
            ? TypedResults.Ok(result.ToResponse())
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["month"] = ["The summary is too large."] });
    }

    /// <summary>The team a report is confined to: a submitter's own (naming another is 403), else the optional filter.</summary>
    private static string? Scope(string? team, ClaimsPrincipal user, Dictionary<string, string[]> errors)
    {
        if (user.TeamScope() is { } own)
        {
            return team is null || team == own ? own : throw new ForbiddenException("Submitter keys read their own team's costs only.");
        }
        if (team is not null && !TeamNames.IsValid(team))
        {
            errors["team"] = ["Team names are 1 to 64 lower-case letters, digits and '-'."];
        }
        return team;
    }

    private static bool AddError(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return false;
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}\z")]
    private static partial Regex MonthPattern();

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
        if (await idle.HoursAsync(start, end, node, ct) is not { } rows)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["to"] = [$"At most {OnPremIdleCost.MaxRows} node-hours per request; narrow the range or name a node."],
            }, title: "The report is too large");
        }
        return TypedResults.Ok(new IdleResponse(snappedFrom, snappedTo,
            [.. rows.Select(r => new IdleRow(r.Hour, r.Node, r.GpuModel, Usd.Trim(r.UsdPerGpuHour), Usd.Trim(Usd.Round(r.UsedGpuMinutes / 60m)),
                Usd.Trim(Usd.Round(r.TotalGpuMinutes / 60m)), Usd.Trim(r.IdleGpuHours), Usd.Trim(r.IdleCost)))],
            Usd.Trim(rows.Sum(r => r.IdleGpuHours)), Usd.Trim(rows.Sum(r => r.IdleCost))));
    }
}
