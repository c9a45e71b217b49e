using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Broker.Providers.Tests.Gcp.Fake;

/// <summary>Compute Engine's JSON shapes, written by hand so the fake does not share the adapter's records.</summary>
internal static class FakeGceJson
{
    public static string ZoneUrl(string baseUrl, string project, string zone) => $"{baseUrl}projects/{project}/zones/{zone}";

    public static JsonObject Instance(string baseUrl, string project, FakeInstance instance)
    {
        var json = (JsonObject)instance.Body.DeepClone();
        json["kind"] = "compute#instance";
        json["id"] = Math.Abs(instance.Name.GetHashCode(StringComparison.Ordinal)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        json["zone"] = ZoneUrl(baseUrl, project, instance.Zone);
        json["machineType"] = $"{ZoneUrl(baseUrl, project, instance.Zone)}/machineTypes/{instance.MachineType}";
        json["status"] = instance.Status;
        json["creationTimestamp"] = instance.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
        json["selfLink"] = $"{ZoneUrl(baseUrl, project, instance.Zone)}/instances/{instance.Name}";
        return json;
    }

    public static JsonObject Operation(string baseUrl, string project, FakeOperation op)
    {
        var json = new JsonObject
        {
            ["kind"] = "compute#operation",
            ["id"] = "7" + op.Name[^6..],
            ["name"] = op.Name,
            ["zone"] = ZoneUrl(baseUrl, project, op.Zone),
            ["operationType"] = op.Type,
            ["targetLink"] = $"{ZoneUrl(baseUrl, project, op.Zone)}/instances/{op.Target}",
            ["status"] = op.Status,
            ["progress"] = op.Step * 50,
            ["selfLink"] = $"{ZoneUrl(baseUrl, project, op.Zone)}/operations/{op.Name}",
        };
        if (op.Status == "DONE" && op.Failure is { } failure)
        {
            json["httpErrorStatusCode"] = failure.HttpStatus;
            json["httpErrorMessage"] = "FAILED";
            json["error"] = new JsonObject
            {
                ["errors"] = new JsonArray(new JsonObject
                {
                    ["code"] = failure.Code,
                    ["message"] = failure.Message ?? $"{failure.Code} injected by the fake for {op.Target}",
                }),
            };
        }
        return json;
    }

    public static IResult Error(HttpContext context, int status, string reason, string message, TimeSpan? retryAfter = null)
    {
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var body = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = status,
                ["message"] = message,
                ["errors"] = new JsonArray(new JsonObject
                {
                    ["message"] = message,
                    ["domain"] = reason is "rateLimitExceeded" or "userRateLimitExceeded" ? "usageLimits" : "global",
                    ["reason"] = reason,
                }),
            },
        };
        return Results.Json(body, statusCode: status);
    }
}
