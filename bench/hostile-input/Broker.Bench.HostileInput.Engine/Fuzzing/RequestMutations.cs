using Broker.HostileInput.Requests;
using static Broker.HostileInput.Fuzzing.BodyMutations;

namespace Broker.HostileInput.Fuzzing;

/// <summary>Mutations of everything around the body: who calls, headers, content type, path ids, query, method, size.</summary>
public static class RequestMutations
{
    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/json; charset=bogus", "application/json; charset=utf-7", "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded", "application/xml", "text/json", "*/*", "application/json; charset=utf-16", "",
        "application/json\0", "application/json;;charset=", "application/problem+json",
    ];

    /// <summary>A small pool, so the same key is met again with other bodies (idempotency conflicts and races).</summary>
    private static readonly string[] IdempotencyKeys = ["fuzz-key-1", "fuzz-key-2", "fuzz-key-3", "a\0b", "k\u00e9y", new string('k', 129), "a b", ""];

    private static readonly string[] QueryValues =
    [
        "99999999d", "0m", "-1h", "1.5h", "2147483647m", "2147483648d", "1x", "", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "yesterday", "2026-13-45T00:00:00Z", "1700000000", "-1", "0", "501", "1001", "99999999999", "1e3", "pending,bogus", "=", "a=",
        "ajE6LTE", "ajE6MA", "not-a-cursor", "H100-80GB", "spot", "aws",
    ];

    private static readonly string[] QueryNames = ["state", "team", "label", "submittedFrom", "submittedTo", "cursor", "limit", "gpuModel",
        "minGpus", "market", "provider", "region", "from", "to", "step", "unknown"];

    public static IReadOnlyList<(string Name, int Weight, Action<Random, Draft, HostileTargets> Apply)> All { get; } =
    [
        ("authorization", 6, Authorization),
        ("content-type", 4, (r, d, _) => d.ContentType = r.Next(5) == 0 ? null : Pick(r, ContentTypes)),
        ("idempotency-key", 4, (r, d, _) => d.Headers.Add(new("Idempotency-Key", Pick(r, IdempotencyKeys)))),
        ("oversized-body", 1, (r, d, _) => { d.RawBody = new byte[r.Next(65_000, 1_300_000)]; Array.Fill(d.RawBody, (byte)' '); d.Chunked = r.Next(2) == 0; }),
        ("chunked", 2, (_, d, _) => d.Chunked = true),
        ("junk-header", 2, (r, d, _) => d.Headers.Add(new(Pick(r, (string[])["X-Forwarded-For", "Accept", "X-Slurm-User-Name", "Cookie", "Range"]), Pick(r, HostileValues.Strings).Value))),
        ("path-id", 6, PathId),
        ("query-value", 10, (r, d, _) => QueryValue(r, d)),
        ("query-hostile-string", 5, (r, d, _) => d.Query.Add(new(Pick(r, QueryNames), Pick(r, HostileValues.Strings).Value))),
        ("query-raw", 3, (r, d, _) => d.RawQuery = Pick(r, (string[])["limit=1&limit=2", "%00=%00", "state=%ZZ", "label=%C3%28", "&&&", "a[]=1", "step=1m&from=0001-01-01&to=9999-12-31", "cursor=" + new string('A', 70)])),
        ("wide-report-range", 2, (_, d, _) => { d.Query.Clear(); d.Query.AddRange([new("from", "0001-01-01T00:00:00Z"), new("to", "9999-12-31T23:59:59Z"), new("step", "1m")]); }),
        ("method", 2, (r, d, _) => d.Method = Pick(r, (string[])["PUT", "PATCH", "DELETE", "GET", "HEAD", "OPTIONS", "POST"])),
    ];

    private static void Authorization(Random r, Draft d, HostileTargets t) => d.Authorization = r.Next(12) switch
    {
        0 => null,
        1 => "Bearer",
        2 => "Basic dXNlcjpwYXNz",
        3 => HostileRequest.Bearer(t.RevokedKey),
        4 => HostileRequest.Bearer(t.OtherTeamKey),
        5 => HostileRequest.Bearer(t.FinanceKey),
        6 => HostileRequest.Bearer(t.OpsKey),
        7 => HostileRequest.Bearer(t.AdminKey),
        8 => HostileRequest.Bearer(t.SubmitterKey + "\0"),
        9 => HostileRequest.Bearer("brk_" + new string('x', r.Next(20, 5000))),
        10 => HostileRequest.Bearer(t.CallbackToken("started")),
        _ => HostileRequest.Bearer(t.SubmitterKey),
    };

    private static void PathId(Random r, Draft d, HostileTargets t)
    {
        var id = r.Next(10) switch
        {
            0 => t.OtherTeamJob.ToString(),
            1 => RandomGuid(r).ToString(),
            2 => "not-a-guid",
            3 => new string('9', r.Next(40, 4000)),
            4 => "%00",
            5 => "..%2F..%2Fapi-keys",
            6 => "{" + t.OwnJob + "}",
            7 => t.OwnJob.ToString("N").ToUpperInvariant(),
            8 => Uri.EscapeDataString(Pick(r, HostileValues.Strings).Value),
            _ => t.Allocation.ToString(),
        };
        var segments = d.Path.Split('/');
        var guidAt = Array.FindIndex(segments, s => Guid.TryParse(s, out _));
        if (guidAt >= 0)
        {
            segments[guidAt] = id;
            d.Path = string.Join('/', segments);
        }
        else
        {
            d.Path += "/" + id;
        }
    }

    /// <summary>A GUID from the seeded generator, so a run is the same every time.</summary>
    public static Guid RandomGuid(Random r)
    {
        var bytes = new byte[16];
        r.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static void QueryValue(Random r, Draft d)
    {
        var value = r.Next(3) == 0 ? Pick(r, HostileValues.IntegerBreakers).Raw : Pick(r, QueryValues);
        if (d.Query.Count > 0 && r.Next(4) > 0)
        {
            var at = r.Next(d.Query.Count);
            d.Query[at] = new(d.Query[at].Key, value);
        }
        else if (d.Query.Count > 0 && r.Next(2) == 0)
        {
            d.Query.RemoveAt(r.Next(d.Query.Count));
        }
        else
        {
            d.Query.Add(new(Pick(r, QueryNames), value));
        }
    }
}
