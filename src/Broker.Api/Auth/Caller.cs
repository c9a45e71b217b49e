using System.Security.Claims;

namespace Broker.Api.Auth;

/// <summary>Who is calling, read from the claims the API key handler set.</summary>
public static class Caller
{
    public const string TeamClaim = "broker:team";

    public static string? Team(this ClaimsPrincipal user) => user.FindFirstValue(TeamClaim);

    public static Guid KeyId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);

    /// <summary>The team a caller is confined to: its own for submitters, none (all teams) for the other roles.</summary>
    public static string? TeamScope(this ClaimsPrincipal user) => user.IsInRole(Roles.Submitter) ? user.Team() : null;
}
