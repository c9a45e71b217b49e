using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// Ids in paths that name nothing: each id × each route with an id, asked by a caller who may use the route. Not even a
/// GUID, or no such row: 404. The instance callback is the exception: a GUID there is checked against the token first,
/// and a token for another allocation is 401. An encoded NUL in a path never reaches Broker (Kestrel answers 400 itself,
/// the test host refuses to send it), so it is left to bench/hostile-input, which runs on Kestrel.
/// </summary>
public static class PathCases
{
    private static readonly (string Name, Func<HostileTargets, string> Id)[] Ids =
    [
        ("not a guid", _ => "not-a-guid"),
        ("unknown guid", _ => "00000000-0000-0000-0000-000000000000"),
        ("unknown guid in braces", _ => "%7B6b1c1d7e-0000-4000-8000-000000000001%7D"),
        ("integer", _ => "1"),
        ("negative integer", _ => "-1"),
        ("5000 characters", _ => new string('a', 5000)),
        ("guid with trailing garbage", t => t.OwnJob + "x"),
        ("encoded slash", _ => "a%2Fb"),
        ("encoded traversal", _ => "..%2F..%2Fapi-keys"),
        ("encoded backslash traversal", _ => "..%5C..%5Capi-keys"),
        ("encoded direction override", t => "%E2%80%AE" + t.OwnJob),
        ("sql", _ => Uri.EscapeDataString("' OR 1=1 --")),
        ("a guid repeated", t => string.Concat(Enumerable.Repeat(t.OwnJob.ToString(), 100))),
        ("broken percent encoding", _ => "%ZZ%"),
    ];

    private static readonly (ApiRoute Route, Func<string, string> Path)[] RoutesWithIds =
    [
        (ApiRoutes.JobsGet, id => $"/v1/jobs/{id}"),
        (ApiRoutes.JobsCancel, id => $"/v1/jobs/{id}/cancel"),
        (ApiRoutes.KeysRevoke, id => $"/v1/api-keys/{id}"),
        (ApiRoutes.Callback, id => $"/v1/instances/{id}/events"),
    ];

    public static IEnumerable<HostileCase> All()
    {
        foreach (var (route, path) in RoutesWithIds)
        {
            foreach (var (name, id) in Ids)
            {
                yield return new("path", $"{route.Name} with {name}", StatusFor(route, name),
                    t => route.Valid(t) with { Path = path(id(t)) });
            }
        }
        foreach (var c in WrongMethodsAndRoutes())
        {
            yield return c;
        }
    }

    /// <summary>
    /// A control or bidirectional-override character in a route value is refused as text (400) before routing looks the
    /// id up; on guid-constrained routes it never matches the route (404). Other ids are unknown (404), except that the
    /// callback route asks for a token first (401).
    /// </summary>
    private static int StatusFor(ApiRoute route, string name) => name switch
    {
        _ when route == ApiRoutes.Callback && IsGuid(name) => 401,
        "encoded direction override" when route == ApiRoutes.JobsGet || route == ApiRoutes.JobsCancel => 400,
        _ => 404,
    };

    private static bool IsGuid(string name) => name is "unknown guid" or "unknown guid in braces";

    private static IEnumerable<HostileCase> WrongMethodsAndRoutes()
    {
        var cases = new (string Name, int Status, string Method, Func<HostileTargets, string> Path, string Role)[]
        {
            ("DELETE on jobs", 405, "DELETE", _ => "/v1/jobs", Roles.Submitter),
            ("PUT on a job", 405, "PUT", t => $"/v1/jobs/{t.OwnJob}", Roles.Submitter),
            ("PATCH on a key", 405, "PATCH", t => $"/v1/api-keys/{t.VictimKeys[0]}", Roles.Admin),
            ("GET on instance events", 405, "GET", t => $"/v1/instances/{t.Allocation}/events", Roles.Ops),
            ("DELETE on cancel", 405, "DELETE", t => $"/v1/jobs/{t.OwnJob}/cancel", Roles.Submitter),
            ("POST on offers", 405, "POST", _ => "/v1/offers", Roles.Submitter),
            ("GET on placement preview", 405, "GET", _ => "/v1/placement/preview", Roles.Ops),
            ("TRACE on jobs", 405, "TRACE", _ => "/v1/jobs", Roles.Submitter),
            ("unknown resource", 404, "GET", _ => "/v1/jobz", Roles.Submitter),
            ("unknown version", 404, "GET", _ => "/v2/jobs", Roles.Submitter),
            ("segment after cancel", 404, "POST", t => $"/v1/jobs/{t.OwnJob}/cancel/now", Roles.Submitter),
            ("revoke as a sub-resource", 404, "POST", t => $"/v1/api-keys/{t.VictimKeys[0]}/revoke", Roles.Admin),
        };
        foreach (var (name, status, method, path, role) in cases)
        {
            yield return new("path", name, status,
                t => new HostileRequest { Method = method, Path = path(t), Authorization = HostileRequest.Bearer(t.KeyOf(role)) });
        }
    }
}
