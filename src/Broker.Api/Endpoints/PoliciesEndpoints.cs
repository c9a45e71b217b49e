using System.Security.Claims;
using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Costs;
using Broker.Core.Errors;
using Broker.Core.Policies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

/// <summary>Burst policies: the global one and per-team overrides, versioned, with ETags. Read by every role, written by ops.</summary>
public static class PoliciesEndpoints
{
    public static IEndpointRouteBuilder MapPolicies(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/v1/policies").WithTags("Policies").RequireAuthorization(Policies.AnyRole);
        read.MapGet("/", Effective).WithName("listEffectivePolicies").WithSummary("The effective policy of each team, with where each value comes from");
        read.MapGet("/{scope}", Get).WithName("getPolicy").WithSummary("The current policy of a scope (global or a team), with its ETag")
            .ProducesProblem(StatusCodes.Status404NotFound);
        read.MapGet("/{scope}/versions", Versions).WithName("listPolicyVersions").WithSummary("Every version of a scope's policy, newest first");
        var write = app.MapGroup("/v1/policies").WithTags("Policies").RequireAuthorization(Policies.Operate);
        write.MapPut("/{scope}", Put).WithName("replacePolicy").WithSummary("Replace a scope's policy (If-Match: its ETag); takes effect at the next pass")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        write.MapPost("/{scope}/rollback", Rollback).WithName("rollbackPolicy").WithSummary("Restore an earlier version's exact document as a new version")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    /// <remarks>The on-prem rate shown is the one the engine and the ledger use now (<c>/v1/costs/onprem-rates</c>).</remarks>
    public static async Task<Ok<EffectivePolicyListResponse>> Effective(ClaimsPrincipal user, PolicyService policies,
        OnPremRates rates, CancellationToken ct)
    {
        var items = await policies.EffectiveAsync(user.TeamScope(), ct);
        var rate = await rates.CurrentAsync(ct);
        return TypedResults.Ok(new EffectivePolicyListResponse([.. items.Select(e =>
            new EffectivePolicyResponse(e.Team, e.Values, e.Sources, rate))]));
    }

    public static async Task<Ok<PolicyResponse>> Get(string scope, ClaimsPrincipal user, PolicyService policies, HttpResponse response,
        CancellationToken ct)
    {
        CheckVisible(scope, user);
        var state = await policies.CurrentAsync(scope, ct);
        response.Headers.ETag = PolicyMapping.ETag(state.Version);
        return TypedResults.Ok(state.ToResponse());
    }

    public static async Task<Ok<PolicyVersionListResponse>> Versions(string scope, ClaimsPrincipal user, PolicyService policies,
        CancellationToken ct)
    {
        CheckVisible(scope, user);
        var versions = await policies.VersionsAsync(scope, ct);
        return TypedResults.Ok(new PolicyVersionListResponse(scope, [.. versions.Select(v => v.ToResponse())]));
    }

    public static async Task<Ok<PolicyResponse>> Put(string scope, PolicyDocument document, HttpContext context, PolicyService policies,
        CancellationToken ct)
    {
        var expected = RequiredIfMatch(context.Request);
        var state = await policies.PutAsync(scope, expected, document, context.Actor(), ct);
        context.Response.Headers.ETag = PolicyMapping.ETag(state.Version);
        return TypedResults.Ok(state.ToResponse());
    }

    public static async Task<Ok<PolicyResponse>> Rollback(string scope, [FromQuery] int? version, HttpContext context,
        PolicyService policies, CancellationToken ct)
    {
        if (version is not { } v || v < 1)
        {
            throw RuleViolationException.For("version", "Name the version to restore: ?version=N with N >= 1 (see /versions).");
        }
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        var state = await policies.RollbackAsync(scope, v, ifMatch.Length == 0 ? null : PolicyMapping.VersionOf(ifMatch),
            context.Actor(), ct);
        context.Response.Headers.ETag = PolicyMapping.ETag(state.Version);
        return TypedResults.Ok(state.ToResponse());
    }

    private static int RequiredIfMatch(HttpRequest request)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        if (ifMatch.Length == 0)
        {
            throw new PreconditionRequiredException(
                "A policy write needs If-Match with the ETag of the version it replaces (GET the policy first; \"0\" when none was written).");
        }
        return PolicyMapping.VersionOf(ifMatch);
    }

    /// <summary>A submitter sees its own team's policy only; any other scope is as if it did not exist.</summary>
    private static void CheckVisible(string scope, ClaimsPrincipal user)
    {
        if (user.TeamScope() is { } team && !string.Equals(scope, team, StringComparison.Ordinal))
        {
            throw new NotFoundException("policy scope", scope.Length <= 64 ? scope : scope[..64]);
        }
    }
}
