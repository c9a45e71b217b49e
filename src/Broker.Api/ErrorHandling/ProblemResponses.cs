using Microsoft.AspNetCore.Mvc;

namespace Broker.Api.ErrorHandling;

/// <summary>Writes RFC 9457 problem documents from places that are not endpoint handlers (auth, rate limiter).</summary>
public static class ProblemResponses
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>A 400 with field-level errors, keyed the way the caller spells the field (JSON path, query parameter, header).</summary>
    public static async Task WriteValidationAsync(HttpContext context, string title, IDictionary<string, string[]> errors)
    {
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = title },
        });
    }
}
