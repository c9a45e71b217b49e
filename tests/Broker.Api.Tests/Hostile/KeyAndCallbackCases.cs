using Broker.HostileInput;
using Broker.HostileInput.Json;
using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// <c>POST /v1/api-keys</c> (as admin) and <c>POST /v1/instances/{id}/events</c> (with the allocation's own token) with
/// hostile fields, duplicate keys (a second <c>role</c> must not make an admin; a second <c>kind</c> must not finish a
/// job), numbers as strings (issue 9: <c>"exitCode":"0"</c> finished one), unknown fields and broken tokens.
/// </summary>
public static class KeyAndCallbackCases
{
    public static IEnumerable<HostileCase> Keys()
    {
        foreach (var value in HostileValues.Strings.Where(v => v.Kind is StringKind.Nul or StringKind.LoneSurrogate or StringKind.Overlong or StringKind.Empty))
        {
            yield return Key($"name {value.Name}", 400, () => ValidBodies.Key().With("name", new JText(value.Value)));
        }
        foreach (var value in HostileValues.Strings)
        {
            yield return Key($"team {value.Name}", 400, () => ValidBodies.Key().With("team", new JText(value.Value)));
        }
        var roles = new[] { "\"overlord\"", "\"\"", "\"\\u0000admin\"", "\"admin\\u0000\"", "\"root\"", "\"adm\\u0131n\"", "\"3\"",
            "3", "-1", "true", "null", "{}", "[\"admin\"]" };
        foreach (var role in roles)
        {
            yield return Key($"role {role}", 400, () => ValidBodies.Key().With("role", new JRaw(role)));
        }
        foreach (var (field, json) in new[] { ("name", "1"), ("name", "true"), ("name", "{}"), ("name", "[]"), ("name", "null"), ("team", "1"), ("team", "[]") })
        {
            yield return Key($"{field} {json}", 400, () => ValidBodies.Key().With(field, new JRaw(json)));
        }
        yield return Key("duplicate key role making an admin", 400, () => ValidBodies.Key().With("team", null).WithExtra("", "role", new JText("admin")));
        yield return Key("duplicate key role in another case", 400, () => ValidBodies.Key().WithExtra("", "Role", new JText("admin")));
        yield return Key("duplicate key team", 400, () => ValidBodies.Key().WithExtra("", "team", new JText("hostile-alpha")));
        yield return Key("duplicate key name", 400, () => ValidBodies.Key().WithExtra("", "name", new JText("other")));
        foreach (var name in new[] { "id", "key", "hash", "prefix", "createdAt", "revokedAt", "admin" })
        {
            yield return Key($"unknown field {name}", 400, () => ValidBodies.Key().WithExtra("", name, new JText("x")));
        }
        yield return Key("missing name", 400, () => ValidBodies.Key().With("name", null));
        yield return Key("missing team of a submitter key", 422, () => ValidBodies.Key().With("team", null));
        yield return Key("team on an ops key", 422, () => ValidBodies.Key().With("role", new JText("ops")));
        foreach (var (name, body) in new[] { ("an array", "[]"), ("null", "null"), ("empty body", ""), ("malformed json", "{\"name\":") })
        {
            yield return new("body", $"keys.create {name}", 400, t => HostileRequest.Text("POST", "/v1/api-keys", body, HostileRequest.Bearer(t.AdminKey)));
        }
    }

    public static IEnumerable<HostileCase> Callbacks()
    {
        var kinds = new[] { "\"exploded\"", "\"STARTED\"", "\"\"", "\"started\\u0000\"", "\"\\u0000\"", "\"started \"", $"\"{new string('x', 10_000)}\"",
            "1", "true", "null", "{}", "[]" };
        foreach (var kind in kinds)
        {
            // Callback bodies are capped at 4 KiB, so the 10,000-character kind is refused for its size.
            yield return Callback($"kind {(kind.Length > 20 ? "10000 characters" : kind)}", kind.Length > 4096 ? 413 : 400, () => ValidBodies.Started().With("kind", new JRaw(kind)));
        }
        yield return Callback("finished without exitCode", 400, () => ValidBodies.Finished().With("exitCode", null));
        var exitCodes = new[] { ("a number as a string", "\"0\""), ("fraction", "1.5"), ("huge exponent", "1e300"), ("overflowing", "99999999999"),
            ("boolean", "true"), ("object", "{}"), ("array", "[0]"), ("empty string", "\"\"") };
        foreach (var (name, json) in exitCodes.Concat(HostileValues.BrokenNumerals.Select(n => (n.Name, n.Raw))))
        {
            yield return Callback($"exitCode {name}", 400, () => ValidBodies.Finished().With("exitCode", new JRaw(json)));
        }
        yield return Callback("duplicate key kind finishing the job", 400, () => ValidBodies.Started().WithExtra("", "kind", new JText("finished"))
            .WithExtra("", "exitCode", JNode.Number(0)));
        yield return Callback("duplicate key exitCode", 400, () => ValidBodies.Finished().WithExtra("", "exitCode", JNode.Number(1)));
        yield return Callback("duplicate key kind in another case", 400, () => ValidBodies.Started().WithExtra("", "Kind", new JText("interruption-notice")));
        foreach (var name in new[] { "foo", "allocationId", "jobId", "state", "\u0000" })
        {
            yield return Callback($"unknown field {(name == "\u0000" ? "NUL" : name)}", 400, () => ValidBodies.Started().WithExtra("", name, new JText("x")));
        }
        foreach (var (name, body) in new[] { ("empty body", ""), ("an array", "[]"), ("null", "null"), ("malformed json", "{\"kind\":"),
            ("a string", "\"started\""), ("nested 200 deep", "{\"kind\":" + new string('[', 200) + new string(']', 200) + "}") })
        {
            yield return new("callback", $"instance event {name}", 400, t => HostileRequest.Text("POST", $"/v1/instances/{t.Allocation}/events", body,
                ApiRoutes.Callback.Authorization(t, ApiRoute.Instance)));
        }
        foreach (var (name, header) in BrokenTokens)
        {
            yield return new("callback", $"instance event with {name}", 401, t => ApiRoutes.Callback.Valid(t) with { Authorization = header(t) });
        }
    }

    private static readonly (string Name, Func<HostileTargets, string?> Header)[] BrokenTokens =
    [
        ("no token", _ => null),
        ("scheme only", _ => "Bearer"),
        ("a wrong token", _ => "Bearer 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        ("the token with its first characters changed", t => "Bearer deadbeef" + t.CallbackToken("started")[8..]),
        ("NUL after the token", t => "Bearer " + t.CallbackToken("started") + "\0"),
        ("the token in upper case", t => "Bearer " + t.CallbackToken("started").ToUpperInvariant()),
        ("basic scheme", t => "Basic " + t.CallbackToken("started")),
        ("the token without a scheme", t => t.CallbackToken("started")),
        ("a 10000-character token", _ => "Bearer " + new string('a', 10_000)),
        ("the token twice", t => "Bearer " + t.CallbackToken("started") + " " + t.CallbackToken("started")),
        ("a submitter API key", t => "Bearer " + t.SubmitterKey),
    ];

    private static HostileCase Key(string name, int status, Func<JNode> body) =>
        new("body", $"keys.create {name}", status, t => HostileRequest.Json("POST", "/v1/api-keys", body(), HostileRequest.Bearer(t.AdminKey)));

    private static HostileCase Callback(string name, int status, Func<JNode> body) =>
        new("callback", $"instance event {name}", status, t => HostileRequest.Json("POST", $"/v1/instances/{t.Allocation}/events", body(),
            ApiRoutes.Callback.Authorization(t, ApiRoute.Instance)));
}
