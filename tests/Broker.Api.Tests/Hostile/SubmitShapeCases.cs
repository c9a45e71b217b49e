using System.Text;
using Broker.HostileInput.Json;
using Broker.HostileInput.Requests;

namespace Broker.Api.Tests.Hostile;

/// <summary>
/// <c>POST /v1/jobs</c> bodies broken as a whole: duplicate keys (issue 9: <c>"count":1,"count":64</c> made a 64-GPU job),
/// unknown and Broker-set fields, missing required fields, bodies that are not one JSON object. All 400.
/// </summary>
public static class SubmitShapeCases
{
    private static readonly string[] Required = ["name", "gpu", "gpu.count", "cpuCores", "memoryGb", "image", "command", "estimatedDurationMinutes"];

    private static readonly string[] Unknown = ["foo", "team", "state", "id", "cost", "createdAt", "submittedAt", "__proto__", "owner", "", "\u0000"];

    public static HostileCase Submit(string name, Func<JNode> body) =>
        new("body", $"jobs.submit {name}", 400, t => HostileRequest.Json("POST", "/v1/jobs", body(), HostileRequest.Bearer(t.SubmitterKey)));

    private static HostileCase SubmitText(string name, string body) =>
        new("body", $"jobs.submit {name}", 400, t => HostileRequest.Text("POST", "/v1/jobs", body, HostileRequest.Bearer(t.SubmitterKey)));

    public static IEnumerable<HostileCase> All()
    {
        foreach (var property in ((JObject)ValidBodies.Job()).Properties)
        {
            yield return Submit($"duplicate key {property.Name}", () => ValidBodies.Job().WithExtra("", property.Name, property.Value.Clone()));
        }
        yield return Submit("duplicate key gpu.count with 64", () => ValidBodies.Job().WithExtra("gpu", "count", JNode.Number(64)));
        yield return Submit("duplicate key spot.allowed", () => ValidBodies.Job().WithExtra("spot", "allowed", new JRaw("false")));
        yield return Submit("duplicate label key", () => ValidBodies.Job().WithExtra("labels", "project", new JText("other")));
        yield return Submit("duplicate key name in another case", () => ValidBodies.Job().WithExtra("", "Name", new JText("other-name")));
        yield return Submit("duplicate key gpu in another case", () => ValidBodies.Job().WithExtra("", "GPU", JNode.Parse("""{"count": 64}""")));
        foreach (var name in Unknown)
        {
            yield return Submit($"unknown field '{Printable(name)}'", () => ValidBodies.Job().WithExtra("", name, JNode.Number(1)));
        }
        yield return Submit("unknown field gpu.vendor", () => ValidBodies.Job().WithExtra("gpu", "vendor", new JText("nvidia")));
        yield return Submit("unknown field spot.price", () => ValidBodies.Job().WithExtra("spot", "price", JNode.Number(1)));
        yield return Submit("unknown field nested 200 deep", () => ValidBodies.Job().WithExtra("", "extra",
            new JRaw(string.Concat(Enumerable.Repeat("[", 200)) + new string(']', 200))));
        foreach (var field in Required)
        {
            yield return Submit($"missing {field}", () => ValidBodies.Job().With(field, null));
        }
        var valid = ValidBodies.Job().ToJson();
        var shapes = new (string Name, string Body)[]
        {
            ("malformed json", """{"name": "x", """), ("an array", "[1,2,3]"), ("a string", "\"job\""), ("a number", "42"), ("null", "null"),
            ("true", "true"), ("empty body", ""), ("whitespace only", "   \n"), ("trailing comma", valid[..^1] + ",}"),
            ("a comment", "/* hi */" + valid), ("single quotes", valid.Replace('"', '\'')), ("trailing garbage", valid + " x"),
            ("two objects", valid + valid), ("NaN literal", valid.Replace("4.5", "NaN", StringComparison.Ordinal)),
            ("10000 nested arrays", new string('[', 10_000) + new string(']', 10_000)),
            ("reversed surrogate pair escape", valid.Replace("\"train-resnet\"", "\"\\udc00\\ud800\"", StringComparison.Ordinal)),
            ("unterminated string", """{"name": "x"""), ("bare word", "job"),
        };
        foreach (var (name, body) in shapes)
        {
            yield return SubmitText(name, body);
        }
        yield return new("body", "jobs.submit invalid UTF-8 in a string", 400, t => new HostileRequest
        {
            Method = "POST", Path = "/v1/jobs", Authorization = HostileRequest.Bearer(t.SubmitterKey), ContentType = "application/json",
            Body = [.. Encoding.UTF8.GetBytes(valid[..10]), 0xc3, 0x28, .. Encoding.UTF8.GetBytes(valid[10..])],
        });
    }

    private static string Printable(string name) => name.Length == 0 ? "(empty)" : name.Replace("\0", "\\0", StringComparison.Ordinal);
}
