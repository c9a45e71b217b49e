using Hangfire.Dashboard;

namespace Broker.Api.Auth;

/// <summary>
/// The Hangfire dashboard is for ops only, not admin: it shows stack traces, job arguments and server paths, and admin keys
/// exist to manage keys. The API key is checked by the normal authentication middleware; Hangfire answers 401 without one
/// and 403 for any other role.
/// </summary>
public sealed class HangfireDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Ops);
}
