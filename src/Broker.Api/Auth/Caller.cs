using System.Security.Claims;
using Broker.Core.Audit;

namespace Broker.Api.Auth;

/// <summary>Who is calling, read from the claims the API key handler set.</summary>
public static class Caller
{
    public const string TeamClaim = "broker:team";

    public static string? Team(this ClaimsPrincipal user) => user.FindFirstValue(TeamClaim);

    public static Guid KeyId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);

    /// <summary>The team a caller is confined to: its own for submitters, none (all teams) for the other roles.</summary>
    public static string? TeamScope(this ClaimsPrincipal user) => user.IsInRole(Roles.Submitter) ? user.Team() : null;

    /// <summary>The caller as the audit trail records it: key id, role and the request's trace id.</summary>
    public static AuditActor Actor(this HttpContext context) => new(context.User.KeyId(),
        context.User.FindFirstValue(ClaimTypes.Role) ?? "unknown", context.TraceIdentifier);
}
