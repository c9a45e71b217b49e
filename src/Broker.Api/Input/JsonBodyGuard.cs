using Broker.Api.ErrorHandling;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Broker.Api.Input;

/// <summary>
/// The one check every request body passes before model binding. A body must be UTF-8: a <c>charset</c> other than
/// utf-8 is 415 (a quoted <c>"utf-8"</c> is accepted and normalized, because ASP.NET's reader would take the quotes as part
/// of an encoding name). A JSON body is read once here and every string in it, keys included, is checked against
/// <see cref="TextRules.IsBodyText"/>: a violation is a 400 naming each field by its JSON path, and the body is never
/// bound, so no such text reaches a handler or the database. Size limits still apply: the body is read through
/// <see cref="Hosting.BodySizeLimit"/>'s stream.
/// </summary>
public sealed class JsonBodyGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false } || request.ContentType is not { } contentType)
        {
            await next(context);
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || (media.Charset.HasValue && !IsUtf8(media.Charset)))
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                "Request bodies are JSON in UTF-8: send 'Content-Type: application/json' (a charset, if given, is utf-8).");
            return;
        }
        if (media.Charset.HasValue)
        {
            media.Charset = default;
            request.ContentType = media.ToString();
        }
        if (IsJson(media))
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            var errors = JsonTextScan.Violations(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            if (errors.Count > 0)
            {
                await ProblemResponses.WriteValidationAsync(context, "The request body holds text Broker cannot accept", errors);
                return;
            }
            request.Body = new MemoryStream(buffer.GetBuffer(), 0, (int)buffer.Length, writable: false);
        }
        await next(context);
    }

    private static bool IsUtf8(Microsoft.Extensions.Primitives.StringSegment charset)
    {
        var name = HeaderUtilities.RemoveQuotes(charset);
        return name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsJson(MediaTypeHeaderValue media) =>
        media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
}
