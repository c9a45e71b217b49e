using System.Text.Json;
using System.Text.RegularExpressions;
using Broker.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Broker.Api.ErrorHandling;

/// <summary>
/// The one place that turns exceptions into problem documents: domain errors to 403/404/409/422, unreadable requests
/// (malformed JSON, wrong types, numbers in strings, fields given twice, unknown fields or enum values, oversized bodies) to 400/413. Anything else stays a 500.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            NotFoundException e => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
            ConflictException e => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message),
            ForbiddenException e => Problem(StatusCodes.Status403Forbidden, "Forbidden", e.Message),
            PreconditionFailedException e => Problem(StatusCodes.Status412PreconditionFailed, "Precondition failed", e.Message),
            PreconditionRequiredException e => Problem(StatusCodes.Status428PreconditionRequired, "Precondition required", e.Message),
            RuleViolationException e => new ValidationProblemDetails(e.Errors.ToDictionary())
            {
                Status = StatusCodes.Status422UnprocessableEntity, Title = "The request breaks a rule", Detail = e.Message,
            },
            BadHttpRequestException e => FromBadRequest(e),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }
        logger.LogInformation("Request refused with {Status}: {Title}", problem.Status, problem.Title);
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException e)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(e.StatusCode, "Request body too large", "The request body exceeds the size this endpoint accepts.");
        }
        if (e.InnerException is JsonException json)
        {
            var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
            var unmapped = UnmappedProperty().Match(json.Message);
            var (field, message) = unmapped.Success
                ? (unmapped.Groups[1].Value, $"'{unmapped.Groups[1].Value}' is not a field of this request; team, state, ids and costs are set by Broker.")
                : json.Message.StartsWith("Duplicate propert", StringComparison.Ordinal)
                    ? (path.TrimStart('$', '.'), $"'{path}' is given more than once; each field may appear once.")
                    : (path.TrimStart('$', '.'), $"The value at '{path}' is not valid JSON for this field (wrong type, out of range or unknown value).");
            return new ValidationProblemDetails(new Dictionary<string, string[]> { [field.Length == 0 ? "$" : field] = [message] })
            {
                Status = StatusCodes.Status400BadRequest, Title = "The request body could not be read", Detail = message,
            };
        }
        var detail = e.Message.Contains("no body was provided", StringComparison.Ordinal) ? "A JSON request body is required." : e.Message;
        return Problem(e.StatusCode, ReasonPhrases.GetReasonPhrase(e.StatusCode), detail);
    }

    private static ProblemDetails Problem(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
