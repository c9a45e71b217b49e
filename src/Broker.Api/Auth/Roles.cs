using Microsoft.AspNetCore.Authorization;

namespace Broker.Api.Auth;

public static class Roles
{
    public const string Submitter = "submitter";
    public const string Finance = "finance";
    public const string Ops = "ops";
    public const string Admin = "admin";
}

/// <summary>Named policies: each endpoint group asks for one of these.</summary>
public static class Policies
{
    public const string SubmitJobs = "jobs:submit";
    public const string ReadJobs = "jobs:read";
    public const string CancelJobs = "jobs:cancel";
    public const string ManageKeys = "keys:manage";
    public const string Operate = "ops";
    public const string ReadCosts = "costs:read";
    public const string AnyRole = "any";

    public static AuthorizationBuilder AddBrokerPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(SubmitJobs, p => p.RequireRole(Roles.Submitter))
        .AddPolicy(ReadJobs, p => p.RequireRole(Roles.Submitter, Roles.Ops, Roles.Finance, Roles.Admin))
        .AddPolicy(CancelJobs, p => p.RequireRole(Roles.Submitter, Roles.Ops))
        .AddPolicy(ManageKeys, p => p.RequireRole(Roles.Admin))
        .AddPolicy(Operate, p => p.RequireRole(Roles.Ops, Roles.Admin))
        .AddPolicy(ReadCosts, p => p.RequireRole(Roles.Finance, Roles.Ops, Roles.Admin))
        .AddPolicy(AnyRole, p => p.RequireAuthenticatedUser());
}
