using System.Text;
using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// Headers and content types on every route with a body: a body that is not JSON, or JSON in a charset Broker cannot read
/// (issue 9: <c>charset=bogus</c> was a 500), is 415; an empty body 400; an oversized one 413, declared or chunked.
/// Plus the Idempotency-Key header's own rule (1-128 visible ASCII characters).
/// </summary>
public static class ContentTypeCases
{
    private static readonly (string Name, string? ContentType, Func<string, byte[]> Body)[] Refused =
    [
        ("no content type", null, Utf8),
        ("text/plain", "text/plain", Utf8),
        ("application/xml", "application/xml", Utf8),
        ("text/json", "text/json", Utf8),
        ("multipart", "multipart/form-data; boundary=x", _ => Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--x--\r\n")),
        ("form", "application/x-www-form-urlencoded", _ => Encoding.ASCII.GetBytes("name=x&role=admin")),
        ("bogus charset", "application/json; charset=bogus", Utf8),
        ("utf-7 charset", "application/json; charset=utf-7", Utf8),
        ("unterminated quoted charset", "application/json; charset=\"utf-8", Utf8),
        ("NUL in the media type", "application/json\0", Utf8),
        ("any media type", "*/*", Utf8),
    ];

    private static readonly (ApiRoute Route, int Limit)[] RoutesWithBodies =
        [(ApiRoutes.JobsSubmit, 64 * 1024), (ApiRoutes.KeysCreate, 1024 * 1024), (ApiRoutes.Callback, 1024 * 1024)];

    public static IEnumerable<HostileCase> All()
    {
        foreach (var (route, limit) in RoutesWithBodies)
        {
            foreach (var (name, contentType, body) in Refused)
            {
                yield return new("content type", $"{route.Name} {name}", 415, t =>
                {
                    var valid = route.Valid(t);
                    return valid with { ContentType = contentType, Body = body(Encoding.UTF8.GetString(valid.Body!)) };
                });
            }
            yield return new("content type", $"{route.Name} empty body", 400, t => route.Valid(t) with { Body = [] });
            yield return new("content type", $"{route.Name} oversized body", 413, t => route.Valid(t) with { Body = Padded(route, t, limit) });
            yield return new("content type", $"{route.Name} oversized chunked body", 413,
                t => route.Valid(t) with { Body = Padded(route, t, limit), Chunked = true });
        }
        var keys = new (string Name, string Value)[]
        {
            ("129 characters", new string('k', 129)), ("a space", "a b"), ("NUL", "a\0b"), ("non-ASCII", "\u043a\u043b\u044e\u0447"),
            ("a tab", "a\tb"), ("CR LF", "a\r\nb"), ("DEL", "a\u007fb"),
        };
        foreach (var (name, value) in keys)
        {
            yield return new("headers", $"jobs.submit Idempotency-Key with {name}", 400,
                t => ApiRoutes.JobsSubmit.Valid(t) with { Headers = [new("Idempotency-Key", value)] });
        }
        foreach (var (refusal, status, request) in Refusals)
        {
            foreach (var accept in Accepts)
            {
                yield return new("headers", $"{refusal} with Accept: {accept}", status,
                    t => request(t) with { Headers = [new("Accept", accept)] });
            }
        }
    }

    /// <summary>Accept values that do not name JSON: a refusal is still its status with a problem document, never a 500.</summary>
    private static readonly string[] Accepts = ["text/html", "application/xml", "x; cat /etc/passwd"];

    private static readonly (string Name, int Status, Func<HostileTargets, HostileRequest> Request)[] Refusals =
    [
        ("no key", 401, t => HostileRequest.Get("/v1/jobs", null)),
        ("a role refusal", 403, t => HostileRequest.Get("/v1/api-keys", HostileRequest.Bearer(t.SubmitterKey))),
        ("an unknown job", 404, t => HostileRequest.Get($"/v1/jobs/{Guid.Empty}", HostileRequest.Bearer(t.SubmitterKey))),
        ("an unknown route", 404, t => HostileRequest.Get("/v1/jobz", HostileRequest.Bearer(t.SubmitterKey))),
        ("a wrong method", 405, t => new HostileRequest { Method = "DELETE", Path = "/v1/jobs", Authorization = HostileRequest.Bearer(t.SubmitterKey) }),
        ("an inverted report window", 400, t => HostileRequest.Get("/v1/onprem/utilization?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", HostileRequest.Bearer(t.FinanceKey))),
        ("an invalid query", 400, t => HostileRequest.Get("/v1/jobs?limit=0", HostileRequest.Bearer(t.SubmitterKey))),
        ("an unbindable query", 400, t => HostileRequest.Get("/v1/jobs?limit=abc", HostileRequest.Bearer(t.SubmitterKey))),
        ("an unreadable body", 400, t => HostileRequest.Text("POST", "/v1/jobs", "{", HostileRequest.Bearer(t.SubmitterKey))),
        ("a body that is not JSON", 415, t => HostileRequest.Text("POST", "/v1/jobs", "x", HostileRequest.Bearer(t.SubmitterKey), "text/plain")),
    ];

    private static byte[] Utf8(string body) => Encoding.UTF8.GetBytes(body);

    /// <summary>The valid body with spaces before its closing brace until it is one byte more than the route accepts.</summary>
    private static byte[] Padded(ApiRoute route, HostileTargets t, int limit)
    {
        var valid = route.Valid(t).Body!;
        return [.. valid[..^1], .. Enumerable.Repeat((byte)' ', limit + 1 - valid.Length), (byte)'}'];
    }
}
