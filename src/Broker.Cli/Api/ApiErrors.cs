using System.Net;
using System.Text.Json;

namespace Broker.Cli.Api;

/// <summary>An RFC 9457 problem document as Broker sends it; <c>errors</c> maps a field (JSON path, query parameter) to messages.</summary>
public sealed record Problem(string? Title, string? Detail, int? Status, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>Broker answered, and refused: the status and its problem document (or the start of whatever body came instead).</summary>
public sealed class ApiRefusedException(HttpStatusCode status, Problem problem, string body)
    : Exception(problem.Title ?? $"Broker answered {(int)status}")
{
    public HttpStatusCode Status { get; } = status;

    public Problem Problem { get; } = problem;

    public string Body { get; } = body;

    public static ApiRefusedException From(HttpStatusCode status, string body, string? mediaType)
    {
        Problem? problem = null;
        if (mediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = JsonSerializer.Deserialize<Problem>(body, JsonSerializerOptions.Web);
            }
            catch (JsonException)
            {
                problem = null;
            }
        }
        var fallback = body.Length > 200 ? body[..200] + "…" : body;
        return new ApiRefusedException(status, problem ?? new Problem($"Broker answered {(int)status} {status}",
            string.IsNullOrWhiteSpace(fallback) ? null : fallback, (int)status, null), body);
    }
}

/// <summary>Broker could not be reached, or the connection broke while reading its answer.</summary>
public sealed class BrokerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
