using System.Text;
using Broker.HostileInput.Json;

namespace Broker.HostileInput.Requests;

/// <summary>
/// One route of the public API with a valid request for it: the roles its policy admits, the caller a valid request uses,
/// its query parameters and body. <see cref="Writes"/> routes change rows when they succeed.
/// </summary>
public sealed record ApiRoute(
    string Name,
    string Method,
    Func<HostileTargets, string> Path,
    IReadOnlyList<string> Allowed,
    string Caller,
    bool Writes = false,
    Func<JNode>? Body = null,
    IReadOnlyList<KeyValuePair<string, string>>? Query = null,
    bool WritesProblemDocuments = true)
{
    /// <summary>The caller of instance callbacks: the per-allocation token, not an API key.</summary>
    public const string Instance = "instance";

    public string Authorization(HostileTargets targets, string role, string kind = "started") =>
        HostileRequest.Bearer(role == Instance ? targets.CallbackToken(kind) : targets.KeyOf(role));

    /// <summary>The valid request as <paramref name="role"/> (by default the route's own caller).</summary>
    public HostileRequest Valid(HostileTargets targets, string? role = null)
    {
        var path = Path(targets) + QueryString(Query ?? []);
        var auth = Authorization(targets, role ?? Caller);
        return Body is null
            ? new HostileRequest { Method = Method, Path = path, Authorization = auth }
            : HostileRequest.Json(Method, path, Body(), auth);
    }

    public static string QueryString(IEnumerable<KeyValuePair<string, string>> query)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in query)
        {
            text.Append(text.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return text.ToString();
    }
}

/// <summary>Every route of the public API (issue 9: the hostile table and the fuzz run go across all of them).</summary>
public static class ApiRoutes
{
    private static readonly string[] Everyone = [Roles.Submitter, Roles.Finance, Roles.Ops, Roles.Admin];

    public static readonly ApiRoute JobsList = new("jobs.list", "GET", _ => "/v1/jobs", Everyone, Roles.Submitter, Query:
    [
        new("state", "pending,running"), new("label", "project=vision"), new("limit", "20"),
        new("submittedFrom", "2020-01-01T00:00:00Z"), new("submittedTo", "2100-01-01T00:00:00Z"),
    ]);

    public static readonly ApiRoute JobsGet = new("jobs.get", "GET", t => $"/v1/jobs/{t.OwnJob}", Everyone, Roles.Submitter);

    public static readonly ApiRoute JobsSubmit = new("jobs.submit", "POST", _ => "/v1/jobs", [Roles.Submitter], Roles.Submitter,
        Writes: true, Body: ValidBodies.Job);

    public static readonly ApiRoute JobsCancel = new("jobs.cancel", "POST", t => $"/v1/jobs/{t.OwnJob}/cancel",
        [Roles.Submitter, Roles.Ops], Roles.Submitter, Writes: true);

    public static readonly ApiRoute KeysList = new("keys.list", "GET", _ => "/v1/api-keys", [Roles.Admin], Roles.Admin);

    public static readonly ApiRoute KeysCreate = new("keys.create", "POST", _ => "/v1/api-keys", [Roles.Admin], Roles.Admin,
        Writes: true, Body: ValidBodies.Key);

    public static readonly ApiRoute KeysRevoke = new("keys.revoke", "DELETE", t => $"/v1/api-keys/{t.VictimKeys[0]}", [Roles.Admin],
        Roles.Admin, Writes: true);

    public static readonly ApiRoute Offers = new("offers.list", "GET", _ => "/v1/offers", Everyone, Roles.Submitter, Query:
    [
        new("gpuModel", "H100-80GB"), new("minGpus", "1"), new("market", "spot"), new("provider", "aws"), new("region", "us-east-1"),
        new("limit", "10"),
    ]);

    public static readonly ApiRoute Providers = new("providers.list", "GET", _ => "/v1/providers", [Roles.Ops, Roles.Admin], Roles.Ops);

    public static readonly ApiRoute Nodes = new("onprem.nodes", "GET", _ => "/v1/onprem/nodes", [Roles.Ops, Roles.Admin], Roles.Ops);

    public static readonly ApiRoute Utilization = new("onprem.utilization", "GET", _ => "/v1/onprem/utilization",
        [Roles.Finance, Roles.Ops, Roles.Admin], Roles.Finance, Query:
        [new("from", "2026-11-24T00:00:00Z"), new("to", "2026-11-25T00:00:00Z"), new("step", "1h")]);

    public static readonly ApiRoute Preview = new("placement.preview", "POST", _ => "/v1/placement/preview", [Roles.Ops, Roles.Admin],
        Roles.Ops);

    public static readonly ApiRoute Callback = new("instances.events", "POST", t => $"/v1/instances/{t.Allocation}/events", [],
        ApiRoute.Instance, Writes: true, Body: ValidBodies.Started);

    /// <summary>
    /// Hangfire writes its own 401/403 without a body. Admin is left out of its role rows on purpose: issue 9 asks to settle
    /// whether admin sees the dashboard, and the table must not decide it.
    /// </summary>
    public static readonly ApiRoute Dashboard = new("hangfire", "GET", _ => "/hangfire", [Roles.Ops], Roles.Ops,
        WritesProblemDocuments: false);

    private static readonly string[] Operators = [Roles.Ops, Roles.Admin];
    private static readonly string[] CostReaders = [Roles.Finance, Roles.Ops, Roles.Admin];
    private static readonly KeyValuePair<string, string>[] Day =
        [new("from", "2026-11-24T00:00:00Z"), new("to", "2026-11-25T00:00:00Z")];

    public static readonly ApiRoute Me = new("me", "GET", _ => "/v1/me", Everyone, Roles.Submitter);

    public static readonly ApiRoute PoliciesEffective = new("policies.effective", "GET", _ => "/v1/policies", Everyone, Roles.Submitter);

    public static readonly ApiRoute PoliciesGet = new("policies.get", "GET", _ => $"/v1/policies/{HostileTargets.Team}", Everyone, Roles.Ops);

    public static readonly ApiRoute PoliciesVersions = new("policies.versions", "GET", _ => $"/v1/policies/{HostileTargets.Team}/versions", Everyone,
        Roles.Ops, Query: [new("limit", "10")]);

    public static readonly ApiRoute PoliciesPut = new("policies.put", "PUT", _ => "/v1/policies/global", Operators, Roles.Ops,
        Writes: true, Body: () => JNode.Parse("""{"burstingEnabled": true}"""));

    public static readonly ApiRoute WhatIfStart = new("what-if.start", "POST", _ => "/v1/policies/global/what-if", Operators, Roles.Ops,
        Writes: true, Body: () => JNode.Parse("""{"policy": {"burstingEnabled": false}, "days": 7}"""));

    public static readonly ApiRoute Bursting = new("bursting.get", "GET", _ => "/v1/bursting", Operators, Roles.Ops);

    public static readonly ApiRoute BurstingStop = new("bursting.stop", "POST", _ => "/v1/bursting/stop", Operators, Roles.Ops, Writes: true,
        Body: () => JNode.Parse("""{"reason": "fuzz"}"""));

    public static readonly ApiRoute Audit = new("audit.list", "GET", _ => "/v1/audit", Operators, Roles.Ops, Query: [.. Day, new("limit", "10")]);

    public static readonly ApiRoute Instances = new("instances.list", "GET", _ => "/v1/instances", CostReaders, Roles.Ops,
        Query: [new("limit", "10")]);

    public static readonly ApiRoute InstanceTerminate = new("instances.terminate", "POST",
        _ => "/v1/instances/00000000-0000-0000-0000-000000000001/terminate", Operators, Roles.Ops, Writes: true);

    public static readonly ApiRoute Allocations = new("allocations.list", "GET", _ => "/v1/allocations", Operators, Roles.Ops,
        Query: [new("limit", "10")]);

    public static readonly ApiRoute Budgets = new("budgets.list", "GET", _ => "/v1/budgets", Everyone, Roles.Finance);

    public static readonly ApiRoute BudgetPut = new("budgets.put", "PUT", _ => $"/v1/budgets/{HostileTargets.Team}", [Roles.Ops, Roles.Finance],
        Roles.Finance, Writes: true, Body: () => JNode.Parse("""{"monthlyUsd": 1000, "hardLimit": false}"""));

    public static readonly ApiRoute CostEntries = new("costs.entries", "GET", t => $"/v1/costs/entries?jobId={t.OwnJob}", Everyone, Roles.Finance);

    public static readonly ApiRoute OnPremRates = new("costs.onprem-rates", "GET", _ => "/v1/costs/onprem-rates", CostReaders, Roles.Finance);

    public static readonly ApiRoute CostReport = new("reports.costs", "GET", _ => "/v1/reports/costs", Everyone, Roles.Finance,
        Query: [.. Day, new("groupBy", "team")]);

    public static readonly ApiRoute Summary = new("reports.summary", "GET", _ => "/v1/reports/summary", Everyone, Roles.Finance,
        Query: [new("month", "2026-11")]);

    public static readonly ApiRoute UtilizationReport = new("reports.utilization", "GET", _ => "/v1/reports/utilization", CostReaders,
        Roles.Finance, Query: Day);

    public static readonly ApiRoute IdleReport = new("reports.idle", "GET", _ => "/v1/reports/idle", CostReaders, Roles.Finance, Query: Day);

    public static readonly ApiRoute JobLogs = new("jobs.logs", "GET", t => $"/v1/jobs/{t.OwnJob}/logs", Everyone, Roles.Submitter,
        Query: [new("tail", "50")]);

    public static readonly ApiRoute SecretsList = new("secrets.list", "GET", _ => "/v1/secrets", Operators, Roles.Ops);

    /// <summary>The routes an API key opens (all but the instance callback).</summary>
    public static readonly IReadOnlyList<ApiRoute> Keyed =
    [
        JobsList, JobsGet, JobsSubmit, JobsCancel, KeysList, KeysCreate, KeysRevoke, Offers, Providers, Nodes, Utilization, Preview,
        Me, PoliciesEffective, PoliciesGet, PoliciesVersions, PoliciesPut, WhatIfStart, Bursting, BurstingStop, Audit, Instances,
        InstanceTerminate, Allocations, Budgets, BudgetPut, CostEntries, OnPremRates, CostReport, Summary, UtilizationReport, IdleReport, JobLogs, SecretsList,
    ];

    public static readonly IReadOnlyList<ApiRoute> All = [.. Keyed, Callback];
}

public static class ValidBodies
{
    public static JNode Job() => JNode.Parse("""
        {"name": "train-resnet", "gpu": {"count": 2, "models": ["h100", "A100-80GB"], "minMemoryGb": 40},
         "cpuCores": 16, "memoryGb": 128, "image": "ghcr.io/acme/train:1.4", "command": ["python", "train.py", "--epochs", "3"],
         "estimatedDurationMinutes": 90, "priority": 10, "spot": {"allowed": true, "checkpointIntervalMinutes": 15},
         "maxPricePerGpuHour": 4.5, "labels": {"project": "vision", "stage": "exp"}}
        """);

    public static JNode Key() => JNode.Parse("""{"name": "fuzz key", "role": "submitter", "team": "hostile-gamma"}""");

    public static JNode Started() => JNode.Parse("""{"kind": "started", "seq": 1}""");

    public static JNode Finished() => JNode.Parse("""{"kind": "finished", "seq": 3, "exitCode": 0}""");
}
