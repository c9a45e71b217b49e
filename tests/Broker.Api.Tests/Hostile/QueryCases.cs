using System.Text;
using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// Every filter and paging parameter of every GET route with bad values: 400 (a report window with "to" before "from"
/// included: it is an unusable window, like one that overflows). Values are written as they
/// go on the wire (percent-encoded by hand where the case is about the encoding).
/// </summary>
public static class QueryCases
{
    private static readonly string Nul = "%00";

    private static string Cursor(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static IEnumerable<HostileCase> All() =>
        Jobs().Concat(Offers()).Concat(Utilization()).Concat(Fleet()).Concat(Audit()).Concat(Reports());

    private static IEnumerable<HostileCase> Jobs()
    {
        var asSubmitter = new (string Param, string Name, string Value)[]
        {
            ("state", "unknown", "exploded"), ("state", "sql", "pending%3BDROP%20TABLE%20jobs"), ("state", "numeric", "1"),
            ("state", "one unknown of two", "pending,exploded"), ("state", "NUL", Nul), ("state", "NUL after a state", "pending" + Nul),
            ("state", "5000 characters", new string('x', 5000)),
            ("team", "another team", HostileTargets.OtherTeam), ("team", "NUL", Nul),
            ("label", "without '='", "project"), ("label", "without a key", "=vision"),
            ("label", "NUL in the value", "project=" + Nul), ("label", "NUL in the key", "pro" + Nul + "ject=vision"),
            ("label", "only NUL", Nul + "=" + Nul),
            ("submittedFrom", "a word", "yesterday"), ("submittedFrom", "month 13", "2026-13-45T00:00:00Z"),
            ("submittedFrom", "NUL", Nul), ("submittedFrom", "epoch seconds", "1700000000"),
            ("submittedFrom", "offset out of range", "2026-01-01T00:00:00%2B25:00"),
            ("submittedTo", "a word", "tomorrow"), ("submittedTo", "NUL", Nul),
            ("cursor", "garbage", "not-a-cursor"), ("cursor", "NUL", Nul), ("cursor", "negative seq", Cursor("j1:-1")),
            ("cursor", "zero seq", Cursor("j1:0")), ("cursor", "other version", Cursor("j2:5")),
            ("cursor", "overflowing seq", Cursor("j1:99999999999999999999")),
            ("cursor", "65 characters", new string('A', 65)), ("cursor", "padding only", "===="),
            ("limit", "zero", "0"), ("limit", "negative", "-1"), ("limit", "a word", "abc"), ("limit", "overflowing", "99999999999"),
            ("limit", "fraction", "1.5"), ("limit", "NUL", Nul), ("limit", "exponent", "1e3"), ("limit", "hex", "0x10"),
        };
        foreach (var (param, name, value) in asSubmitter)
        {
            yield return Case("jobs.list", $"{param} {name}", 400, $"/v1/jobs?{param}={value}", Roles.Submitter);
        }
        yield return Case("jobs.list", "team NUL as ops", 400, $"/v1/jobs?team={Nul}", Roles.Ops);
        yield return Case("jobs.list", "team with NUL as ops", 400, $"/v1/jobs?team={HostileTargets.Team}{Nul}", Roles.Ops);
        yield return Case("jobs.list", "submittedTo before submittedFrom", 400,
            "/v1/jobs?submittedFrom=2026-12-01T00:00:00Z&submittedTo=2026-11-01T00:00:00Z", Roles.Submitter);
    }

    private static IEnumerable<HostileCase> Offers()
    {
        var values = new (string Param, string Name, string Value)[]
        {
            ("gpuModel", "unknown", "H9000"), ("gpuModel", "NUL", Nul), ("gpuModel", "NUL after a model", "H100-80GB" + Nul),
            ("gpuModel", "5000 characters", new string('x', 5000)),
            ("minGpus", "zero", "0"), ("minGpus", "negative", "-1"), ("minGpus", "a word", "abc"), ("minGpus", "overflowing", "99999999999"),
            ("minGpus", "NUL", Nul), ("minGpus", "fraction", "1.5"),
            ("market", "unknown", "auction"), ("market", "NUL", Nul), ("market", "NUL after a market", "spot" + Nul),
            ("provider", "unknown", "oracle"), ("provider", "NUL", Nul), ("provider", "NUL after a provider", "aws" + Nul),
            ("region", "NUL", Nul), ("region", "NUL after a region", "us-east-1" + Nul),
            ("limit", "zero", "0"), ("limit", "over the cap", "1001"), ("limit", "negative", "-1"), ("limit", "a word", "abc"),
            ("limit", "NUL", Nul), ("limit", "overflowing", "99999999999"),
        };
        foreach (var (param, name, value) in values)
        {
            yield return Case("offers.list", $"{param} {name}", 400, $"/v1/offers?{param}={value}", Roles.Submitter);
        }
    }

    private static IEnumerable<HostileCase> Utilization()
    {
        const string Day = "from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z";
        var steps = new (string Name, string Value)[]
        {
            ("99999999 days", "99999999d"), ("int.MaxValue days", "2147483647d"), ("overflowing minutes", "99999999999m"),
            ("zero", "0m"), ("negative", "-1h"), ("unknown unit", "1x"), ("fraction", "1.5h"), ("NUL", Nul), ("empty", ""),
            ("unit only", "h"), ("number only", "1"), ("upper-case unit", "1H"), ("NUL after the unit", "1m" + Nul),
        };
        foreach (var (name, value) in steps)
        {
            yield return Case("onprem.utilization", $"step {name}", 400, $"/v1/onprem/utilization?{Day}&step={value}", Roles.Finance);
        }
        yield return Case("onprem.utilization", "from a word", 400, "/v1/onprem/utilization?from=yesterday", Roles.Finance);
        yield return Case("onprem.utilization", "from NUL", 400, $"/v1/onprem/utilization?from={Nul}", Roles.Finance);
        yield return Case("onprem.utilization", "to a word", 400, "/v1/onprem/utilization?to=tomorrow", Roles.Finance);
        yield return Case("onprem.utilization", "to NUL", 400, $"/v1/onprem/utilization?to={Nul}", Roles.Finance);
        yield return Case("onprem.utilization", "ten thousand years by the minute", 400,
            "/v1/onprem/utilization?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&step=1m", Roles.Finance);
        yield return Case("onprem.utilization", "ten thousand years by the day", 400,
            "/v1/onprem/utilization?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&step=1d", Roles.Finance);
        yield return Case("onprem.utilization", "from year 1 to now by the hour", 400,
            "/v1/onprem/utilization?from=0001-01-01T00:00:00Z", Roles.Finance);
        yield return Case("onprem.utilization", "two days by the minute (over the bucket cap)", 400,
            "/v1/onprem/utilization?from=2026-11-23T00:00:00Z&to=2026-11-25T00:00:00Z&step=1m", Roles.Finance);
        yield return Case("onprem.utilization", "to before from", 400,
            "/v1/onprem/utilization?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", Roles.Finance);
    }

    private static readonly (string Name, string Value)[] BadCursors =
        [("garbage", "not-a-cursor"), ("NUL", Nul), ("65 characters", new string('A', 65)), ("padding only", "====")];

    private static readonly (string Name, string Value)[] BadLimits =
        [("zero", "0"), ("negative", "-1"), ("a word", "abc"), ("overflowing", "99999999999"), ("fraction", "1.5"), ("NUL", Nul)];

    /// <summary>The fleet views (ops): /v1/instances and /v1/allocations share their filters and paging.</summary>
    private static IEnumerable<HostileCase> Fleet()
    {
        var filters = new (string Param, string Name, string Value)[]
        {
            ("provider", "unknown", "oracle"), ("provider", "NUL", Nul), ("market", "unknown", "auction"), ("market", "NUL", Nul),
            ("state", "unknown", "exploded"), ("state", "sql", "running%3BDROP%20TABLE%20allocations"), ("state", "NUL", Nul),
            ("jobId", "not a UUID", "job-1"), ("jobId", "NUL", Nul),
        };
        foreach (var path in new[] { "/v1/instances", "/v1/allocations" })
        {
            var route = path == "/v1/instances" ? "instances.list" : "allocations.list";
            foreach (var (param, name, value) in filters)
            {
                yield return Case(route, $"{param} {name}", 400, $"{path}?{param}={value}", Roles.Ops);
            }
            foreach (var (name, value) in BadCursors)
            {
                yield return Case(route, $"cursor {name}", 400, $"{path}?cursor={value}", Roles.Ops);
            }
            foreach (var (name, value) in BadLimits)
            {
                yield return Case(route, $"limit {name}", 400, $"{path}?limit={value}", Roles.Ops);
            }
        }
    }

    private static IEnumerable<HostileCase> Audit()
    {
        var values = new (string Param, string Name, string Value)[]
        {
            ("from", "a word", "yesterday"), ("from", "NUL", Nul), ("from", "month 13", "2026-13-45T00:00:00Z"),
            ("to", "a word", "tomorrow"), ("to", "NUL", Nul), ("actor", "not a UUID", "alice"), ("actor", "NUL", Nul),
        };
        foreach (var (param, name, value) in values)
        {
            yield return Case("audit.list", $"{param} {name}", 400, $"/v1/audit?{param}={value}", Roles.Ops);
        }
        foreach (var (name, value) in BadCursors)
        {
            yield return Case("audit.list", $"cursor {name}", 400, $"/v1/audit?cursor={value}", Roles.Ops);
        }
        foreach (var (name, value) in BadLimits)
        {
            yield return Case("audit.list", $"limit {name}", 400, $"/v1/audit?limit={value}", Roles.Ops);
        }
        yield return Case("audit.list", "to before from", 400, "/v1/audit?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", Roles.Ops);
    }

    private static IEnumerable<HostileCase> Reports()
    {
        const string Day = "from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z";
        foreach (var path in new[] { "/v1/reports/costs", "/v1/reports/utilization", "/v1/reports/idle" })
        {
            var route = "reports." + path[(path.LastIndexOf('/') + 1)..];
            yield return Case(route, "from a word", 400, $"{path}?from=yesterday&to=2026-11-25T00:00:00Z", Roles.Finance);
            yield return Case(route, "to NUL", 400, $"{path}?from=2026-11-24T00:00:00Z&to={Nul}", Roles.Finance);
            yield return Case(route, "to before from", 400, $"{path}?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", Roles.Finance);
            yield return Case(route, "ten thousand years", 400, $"{path}?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", Roles.Finance);
        }
        yield return Case("reports.costs", "groupBy unknown", 400, $"/v1/reports/costs?{Day}&groupBy=colour", Roles.Finance);
        yield return Case("reports.costs", "groupBy NUL", 400, $"/v1/reports/costs?{Day}&groupBy={Nul}", Roles.Finance);
        foreach (var (name, value) in new[] { ("month 13", "2026-13"), ("a word", "november"), ("NUL", Nul), ("a day", "2026-11-01") })
        {
            yield return Case("reports.summary", $"month {name}", 400, $"/v1/reports/summary?month={value}", Roles.Finance);
        }
    }

    private static HostileCase Case(string route, string name, int status, string path, string role) =>
        new("query", $"{route} {name}", status, t => HostileRequest.Get(path, HostileRequest.Bearer(t.KeyOf(role))));
}
