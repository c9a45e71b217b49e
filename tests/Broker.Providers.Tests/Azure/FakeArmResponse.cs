using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Broker.Providers.Tests.Azure;

/// <summary>What the fake ARM answers; <see cref="AbortConnection"/> drops the connection instead, as a lost response.</summary>
internal sealed record FakeArmResponse(int Status, JsonNode? Body, IReadOnlyDictionary<string, string> Headers, bool AbortConnection = false)
{
    public static FakeArmResponse Json(int status, JsonNode? body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, body, headers ?? new Dictionary<string, string>());

    public static FakeArmResponse Error(int status, string code, string message, string? retryAfter = null) => new(
        status,
        new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } },
        retryAfter is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Retry-After"] = retryAfter });

    public async Task WriteAsync(HttpContext context)
    {
        if (AbortConnection)
        {
            context.Abort();
            return;
        }
        context.Response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            context.Response.Headers[name] = value;
        }
        if (Body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(Body.ToJsonString());
        }
    }
}
