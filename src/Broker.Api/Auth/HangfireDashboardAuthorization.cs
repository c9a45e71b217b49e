using Hangfire.Dashboard;

namespace Broker.Api.Auth;

/// <summary>The Hangfire dashboard is for ops only; the API key is checked by the normal authentication middleware.</summary>
public sealed class HangfireDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.IsInRole(Roles.Ops) || user.IsInRole(Roles.Admin);
    }
}
