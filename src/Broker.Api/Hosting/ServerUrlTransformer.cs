using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Broker.Api.Hosting;

/// <summary>
/// The server URL the document is served from, without the trailing slash ASP.NET leaves when there is no path base:
/// paths start with '/', so "http://host/" + "/v1/jobs" would give clients a double slash.
/// </summary>
public sealed class ServerUrlTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var server in document.Servers ?? [])
        {
            if (server.Url is { Length: > 1 } url && url.EndsWith('/'))
            {
                server.Url = url.TrimEnd('/');
            }
        }
        return Task.CompletedTask;
    }
}
