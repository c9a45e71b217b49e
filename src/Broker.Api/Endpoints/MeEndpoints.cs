using System.Security.Claims;
using Broker.Api.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

/// <summary>Who the caller's API key is: what a client (the console among them) needs to show only what the role may do.</summary>
public static class MeEndpoints
{
    public sealed record MeResponse(Guid KeyId, string Name, string Role, string? Team);

    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/me", Get).WithName("getCallingApiKey").WithTags("API keys").RequireAuthorization(Policies.AnyRole)
            .WithSummary("The calling key: its id, name, role and team (submitters), without its secret");
        return app;
    }

    public static Ok<MeResponse> Get(ClaimsPrincipal user) => TypedResults.Ok(new MeResponse(user.KeyId(),
        user.FindFirstValue(ClaimTypes.Name) ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "", user.Team()));
}
