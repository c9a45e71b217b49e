using System.Security.Claims;
using System.Text.Json;
using Broker.Api.Auth;
using Broker.Api.Contracts;
using Broker.Core.Logs;
using Broker.Core.Provisioning;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.Endpoints;

/// <summary>
/// Job output: instances and Slurm job scripts ship stdout/stderr chunks with their per-allocation callback token
/// (ADR 0006; idempotent by stream and offset, so a retry stores nothing twice); teams read a segment's lines, or follow
/// them as Server-Sent Events until the segment ends.
/// </summary>
public static class LogsEndpoints
{
    public const int MaxTail = 10_000;

    public static IEndpointRouteBuilder MapLogs(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/instances/{allocationId:guid}/logs", Ship).WithName("shipInstanceLogChunk").AllowAnonymous().WithMetadata(new WithoutApiKey()).WithTags("Instances")
            .WithSummary("An instance or Slurm job ships a chunk of its stdout or stderr (idempotent by stream and offset)")
            .Accepts<LogChunkRequest>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(256 * 1024))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        app.MapGet("/v1/jobs/{id}/logs", Read).WithName("getJobLogs").RequireAuthorization(Policies.ReadJobs).WithTags("Jobs")
            .WithSummary("A run segment's stdout and stderr lines (the latest segment by default); follow=true streams them as Server-Sent Events until the segment ends")
            .Produces<LogPageResponse>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public sealed record LogChunkRequest(string Stream, long Offset, string Text);

    public sealed record LogChunkReceipt(Guid AllocationId, string Stream, long Offset, string Outcome);

    public sealed record LogLineResponse(string Stream, string Text);

    /// <param name="DroppedBytes">Bytes of this job's oldest output dropped to keep it under the configured cap.</param>
    public sealed record LogPageResponse(Guid JobId, Guid? Segment, bool Ended, long DroppedBytes, bool Truncated, IReadOnlyList<LogLineResponse> Lines);

    public static async Task<Results<Accepted<LogChunkReceipt>, Ok<LogChunkReceipt>, ValidationProblem, ProblemHttpResult>> Ship(
        Guid allocationId, HttpRequest request, CallbackTokens tokens, LogStore logs, LogOptions options, TimeProvider clock, CancellationToken ct)
    {
        var check = tokens.Check(allocationId, CallbackBearer.From(request), clock.GetUtcNow());
        if (!check.IsValid)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Callback token refused", detail: check.Reason,
                extensions: new Dictionary<string, object?> { ["reason"] = CallbackBearer.Code(check.Verdict) });
        }
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the chunk as application/json.");
        }
        LogChunkRequest? chunk;
        try
        {
            chunk = await request.ReadFromJsonAsync<LogChunkRequest>(ct);
        }
        catch (JsonException)
        {
            chunk = null;
        }
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (chunk is null)
        {
            errors["body"] = ["Send {\"stream\": \"stdout\"|\"stderr\", \"offset\": n, \"text\": \"...\"} as application/json."];
        }
        else
        {
            if (!LogStreams.IsKnown(chunk.Stream))
            {
                errors["stream"] = ["stream is stdout or stderr."];
            }
            if (chunk.Offset < 0)
            {
                errors["offset"] = ["offset is the chunk's byte offset in its stream, 0 or more."];
            }
            if (chunk.Text is null || System.Text.Encoding.UTF8.GetByteCount(chunk.Text) > options.MaxChunkBytes || chunk.Text.Contains('\0'))
            {
                errors["text"] = [$"text is at most {options.MaxChunkBytes} bytes of UTF-8 without NUL characters."];
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The log chunk is not valid");
        }
        var result = await logs.AppendAsync(allocationId, chunk!.Stream, chunk.Offset, chunk.Text ?? "", ct);
        return result switch
        {
            LogAppendResult.Stored => TypedResults.Accepted((string?)null, new LogChunkReceipt(allocationId, chunk.Stream, chunk.Offset, "stored")),
            LogAppendResult.Duplicate => TypedResults.Ok(new LogChunkReceipt(allocationId, chunk.Stream, chunk.Offset, "duplicate")),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown allocation", detail: $"No allocation {allocationId}."),
        };
    }

    public static async Task<IResult> Read(string id, [FromQuery] string? segment, [FromQuery] int? tail, [FromQuery] bool? follow,
        ClaimsPrincipal user, HttpContext context, LogStore logs, LogOptions options, CancellationToken ct)
    {
        var jobId = JobIds.Parse(id);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Guid? segmentId = null;
        if (segment is not null)
        {
            if (Guid.TryParse(segment, out var parsed))
            {
                segmentId = parsed;
            }
            else
            {
                errors["segment"] = ["segment is the id of one of the job's segments (see GET /v1/jobs/{id})."];
            }
        }
        if (tail is < 1 or > MaxTail)
        {
            errors["tail"] = [$"tail is 1 to {MaxTail} lines."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The log query is not valid");
        }
        var page = await logs.ReadAsync(jobId, user.TeamScope(), segmentId, tail, 0, ct);
        if (follow != true)
        {
            return TypedResults.Ok(ToResponse(page));
        }
        await FollowAsync(context, logs, options, user.TeamScope(), page, ct);
        return TypedResults.Empty;
    }

    /// <summary>
    /// Streams the segment as Server-Sent Events: <c>meta</c> first, then one <c>line</c> event per line as chunks arrive,
    /// and <c>end</c> once the segment has ended and its last chunks were sent.
    /// </summary>
    private static async Task FollowAsync(HttpContext context, LogStore logs, LogOptions options, string? team, LogPage first, CancellationToken ct)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await SendAsync(response, "meta", new { first.JobId, first.Segment, first.DroppedBytes, Truncated = first.DroppedBytes > 0 }, ct);
        var page = first;
        while (true)
        {
            foreach (var line in page.Lines)
            {
                await SendAsync(response, "line", new LogLineResponse(line.Stream, line.Text), ct);
            }
            if (page.Ended || page.Segment is null)
            {
                // One more read after the end was seen: chunks that landed between the last read and the end go out too.
                var rest = await logs.ReadAsync(first.JobId, team, first.Segment, null, page.LastChunkId, ct);
                foreach (var line in rest.Lines)
                {
                    await SendAsync(response, "line", new LogLineResponse(line.Stream, line.Text), ct);
                }
                await SendAsync(response, "end", new { first.Segment }, ct);
                return;
            }
            await Task.Delay(options.FollowPollInterval, ct);
            page = await logs.ReadAsync(first.JobId, team, first.Segment, null, page.LastChunkId, ct);
        }
    }

    private static async Task SendAsync(HttpResponse response, string kind, object data, CancellationToken ct)
    {
        await response.WriteAsync($"event: {kind}\ndata: {JsonSerializer.Serialize(data, JsonSerializerOptions.Web)}\n\n", ct);
        await response.Body.FlushAsync(ct);
    }

    private static LogPageResponse ToResponse(LogPage page) => new(page.JobId, page.Segment, page.Ended, page.DroppedBytes,
        page.DroppedBytes > 0, [.. page.Lines.Select(l => new LogLineResponse(l.Stream, l.Text))]);
}
