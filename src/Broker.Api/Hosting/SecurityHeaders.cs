namespace Broker.Api.Hosting;

/// <summary>
/// Headers every response carries, problem documents, 401s, 429s and the Hangfire dashboard included: no MIME sniffing,
/// never framed (old and new spelling), no referrer. Set when the response starts, so a handler or the exception handler
/// clearing the response cannot drop them. The console's pages get a policy that allows this origin only. Kestrel's <c>Server</c> header is off (Program.cs).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ((HttpResponse)state).HttpContext.Request.Path.StartsWithSegments(ConsoleHosting.Path)
                ? ConsoleHosting.ContentSecurityPolicy
                : "frame-ancestors 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            headers.Remove("Server");
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }
}
