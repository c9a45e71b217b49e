using System.Security.Claims;
using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Costs.Budgets;
using Broker.Core.Costs;
using Broker.Core.Errors;
using Broker.Core.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

public static class BudgetsEndpoints
{
    public const int MaxBodyBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapBudgets(this IEndpointRouteBuilder app)
    {
        var budgets = app.MapGroup("/v1/budgets").WithTags("Budgets");
        budgets.MapGet("/", List).WithName("listBudgets").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("Every team's budget with its current period (a submitter sees its own team's)");
        budgets.MapGet("/{team}", Get).WithName("getBudget").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("One team's budget with its current period").ProducesProblem(StatusCodes.Status404NotFound);
        budgets.MapPut("/{team}", Put).WithName("setBudget").RequireAuthorization(p => p.RequireRole(Roles.Ops, Roles.Finance))
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithSummary("Set a team's budget (ops, finance): amount per period, soft and hard thresholds in percent")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        budgets.MapGet("/{team}/events", Events).WithName("listBudgetEvents").RequireAuthorization(Policies.ReadJobs)
            .WithSummary("Budget events, newest first: set, soft and hard threshold crossings").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    public static async Task<Ok<BudgetListResponse>> List(ClaimsPrincipal user, BudgetService budgets, CancellationToken ct) =>
        TypedResults.Ok(new BudgetListResponse([.. (await budgets.ListAsync(user.TeamScope(), ct)).Select(b => b.ToResponse())]));

    public static async Task<Ok<BudgetResponse>> Get(string team, ClaimsPrincipal user, BudgetService budgets, CancellationToken ct) =>
        TypedResults.Ok((await budgets.GetAsync(Visible(team, user), ct)).ToResponse());

    public static async Task<Ok<BudgetResponse>> Put(string team, PutBudgetRequest request, HttpContext context, BudgetService budgets,
        CancellationToken ct)
    {
        if (!IsTeamName(team))
        {
            throw RuleViolationException.For("team", "Team names are 1 to 64 lower-case letters, digits and '-'.");
        }
        var period = request.Period?.ToLowerInvariant() switch
        {
            null or "monthly" => BudgetPeriodKind.Monthly,
            "custom" => BudgetPeriodKind.Custom,
            _ => throw RuleViolationException.For("period", "The period is 'monthly' or 'custom'."),
        };
        var amount = request.AmountUsd ?? throw RuleViolationException.For("amountUsd", "amountUsd is required.");
        var spec = new BudgetSpec(amount, request.SoftPercent, request.HardPercent, period, request.From, request.To);
        return TypedResults.Ok((await budgets.SetAsync(team, spec, context.Actor(), ct)).ToResponse());
    }

    public static async Task<Ok<BudgetEventListResponse>> Events(string team, int? limit, ClaimsPrincipal user, BudgetService budgets,
        CancellationToken ct)
    {
        if (limit is < 1 or > 500)
        {
            throw RuleViolationException.For("limit", "The limit is between 1 and 500.");
        }
        var events = await budgets.EventsAsync(Visible(team, user), limit ?? 100, ct);
        return TypedResults.Ok(new BudgetEventListResponse([.. events.Select(e => e.ToResponse())]));
    }

    /// <summary>A submitter sees its own team's budget only; anything else is 404, as for jobs, so team names do not leak.</summary>
    private static string Visible(string team, ClaimsPrincipal user) =>
        IsTeamName(team) && (user.TeamScope() is not { } scope || scope == team) ? team : throw new NotFoundException("budget", IsTeamName(team) ? team : "?");

    private static bool IsTeamName(string team) => TeamNames.IsValid(team);

}
