using Broker.Api.ErrorHandling;

namespace Broker.Api.Input;

/// <summary>
/// The one check of the text that arrives outside the body: every query parameter (name and value), every route value, and
/// the headers Broker reads itself must be single-line text (<see cref="TextRules.IsSingleLine"/>). A violation is a 400
/// naming the parameter, before any handler runs, so no filter with a NUL or a control character reaches the database.
/// Runs after authentication and authorization, so an anonymous caller still gets 401 first.
/// </summary>
public sealed class RequestTextGuard(RequestDelegate next)
{
    /// <summary>Request headers whose values Broker's handlers read (Authorization is only ever hashed or HMAC-compared).</summary>
    public static readonly IReadOnlyList<string> CheckedHeaders = ["Idempotency-Key"];

    public async Task InvokeAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in context.Request.Query)
        {
            if (!TextRules.IsSingleLine(name) || values.Any(v => v is not null && !TextRules.IsSingleLine(v)))
            {
                errors[TextRules.IsSingleLine(name) ? name : "query"] = [TextRules.SingleLineRule];
            }
        }
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && !TextRules.IsSingleLine(text))
            {
                errors[name] = [TextRules.SingleLineRule];
            }
        }
        foreach (var header in CheckedHeaders)
        {
            if (context.Request.Headers[header].Any(v => v is not null && !TextRules.IsSingleLine(v)))
            {
                errors[header] = [TextRules.SingleLineRule];
            }
        }
        if (errors.Count > 0)
        {
            await ProblemResponses.WriteValidationAsync(context, "The request holds text Broker cannot accept", errors);
            return;
        }
        await next(context);
    }
}
