using System.ComponentModel.DataAnnotations;
using Broker.Core.Provisioning;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Broker.Api.Endpoints;

/// <summary>
/// Where instances report on the job they run (their boot script posts here). Authenticated by the per-instance token,
/// not by an API key: the token is an HMAC of the allocation id, so it works only for its own allocation.
/// </summary>
public static class InstanceCallbackEndpoints
{
    public static IEndpointRouteBuilder MapInstanceCallbacks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/instances/{allocationId:guid}/events", Report).AllowAnonymous().WithTags("Instances")
            .WithSummary("An instance reports started, finished (with exit code) or an interruption notice")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    public sealed record InstanceEventRequest([property: Required] string Kind, int? ExitCode);

    public static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> Report(Guid allocationId, InstanceEventRequest body,
        HttpRequest request, CallbackTokens tokens, AllocationWorker worker, CancellationToken ct)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !tokens.IsValid(allocationId, header["Bearer ".Length..].Trim()))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unknown instance token");
        }
        InstanceEventKind? kind = body.Kind switch
        {
            "started" => InstanceEventKind.Started,
            "finished" => InstanceEventKind.Finished,
            "interruption-notice" => InstanceEventKind.InterruptionNotice,
            _ => null,
        };
        if (kind is null || (kind == InstanceEventKind.Finished && body.ExitCode is null))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["kind"] = ["kind is started, finished (with exitCode) or interruption-notice."],
            });
        }
        await worker.HandleEventAsync(allocationId, kind.Value, body.ExitCode, ct);
        return TypedResults.Accepted((string?)null);
    }
}
