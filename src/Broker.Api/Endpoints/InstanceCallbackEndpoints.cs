using Broker.Api.Auth;
using Broker.Core.Provisioning;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

/// <summary>
/// Where instances (their boot script) and on-prem job scripts report on the job they run. Authenticated by a callback
/// token, not an API key: a token names one allocation, one event kind and one purpose and carries its expiry, so it can
/// say only what it was issued to say. Answers: 202 accepted, 200 an exact duplicate (nothing changed), 400 a bad body,
/// 401 a token that does not fit (which way is in <c>reason</c>), 409 a replay, out-of-order or not-allowed event
/// (nothing changed), 503 with Retry-After while Slurm cannot confirm an on-prem job's end. ADR 0006.
/// </summary>
public static class InstanceCallbackEndpoints
{
    public const string Route = "/v1/instances/{allocationId:guid}/events";

    public static IEndpointRouteBuilder MapInstanceCallbacks(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, Report).WithName("reportInstanceEvent").AllowAnonymous().WithMetadata(new WithoutApiKey()).WithTags("Instances")
            .WithSummary("An instance reports started, finished (with exit code) or an interruption notice, each with its seq")
            .Accepts<InstanceEventRequest>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(4096))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>The body, for the API description; it is read strictly by <see cref="InstanceEventBody"/>.</summary>
    public sealed record InstanceEventRequest(string Kind, int Seq, int? ExitCode, string? Reason = null, DateTimeOffset? At = null,
        int? Member = null);

    public sealed record InstanceEventReceipt(Guid AllocationId, string Kind, int Seq, string Outcome);

    public static async Task<Results<Accepted<InstanceEventReceipt>, Ok<InstanceEventReceipt>, ValidationProblem, ProblemHttpResult>> Report(
        Guid allocationId, HttpRequest request, CallbackTokens tokens, AllocationWorker worker, TimeProvider clock, CancellationToken ct)
    {
        var token = CallbackBearer.From(request);
        var check = tokens.Check(allocationId, token, clock.GetUtcNow());
        if (!check.IsValid)
        {
            return Unauthorized(request, CallbackBearer.Code(check.Verdict), check.Reason);
        }
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the event as application/json.");
        }
        var parsed = await InstanceEventBody.ReadAsync(allocationId, request, ct);
        if (parsed.Event is not { } e)
        {
            return TypedResults.ValidationProblem(parsed.Errors, title: "The event body is not valid");
        }
        if (check.Kind != e.Kind)
        {
            return Unauthorized(request, "wrong-kind",
                $"The token was issued for {InstanceEventKinds.ToWire(check.Kind!.Value)} events; this body is {InstanceEventKinds.ToWire(e.Kind)}.");
        }
        var outcome = await worker.HandleEventAsync(e, check.Purpose!.Value, ct);
        var receipt = new InstanceEventReceipt(allocationId, InstanceEventKinds.ToWire(e.Kind), e.Seq, outcome.Code);
        switch (outcome.Result)
        {
            case InstanceEventResult.Accepted:
                return TypedResults.Accepted((string?)null, receipt);
            case InstanceEventResult.Duplicate:
                return TypedResults.Ok(receipt);
            case InstanceEventResult.WrongPurpose:
                return Unauthorized(request, outcome.Code, outcome.Reason);
            case InstanceEventResult.NotFound:
                return Problem(StatusCodes.Status404NotFound, "Unknown allocation", outcome);
            case InstanceEventResult.Unavailable:
                request.HttpContext.Response.Headers.RetryAfter = "30";
                return Problem(StatusCodes.Status503ServiceUnavailable, "Cannot confirm the event now", outcome);
            default:
                return Problem(StatusCodes.Status409Conflict, "Event refused; nothing changed", outcome);
        }
    }

    private static ProblemHttpResult Unauthorized(HttpRequest request, string code, string detail)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Callback token refused", detail: detail,
            extensions: new Dictionary<string, object?> { ["reason"] = code });
    }

    private static ProblemHttpResult Problem(int status, string title, InstanceEventOutcome outcome) =>
        TypedResults.Problem(statusCode: status, title: title, detail: outcome.Reason,
            extensions: new Dictionary<string, object?> { ["reason"] = outcome.Code });
}
