namespace Broker.Providers.Tests.Azure;

/// <summary>
/// Azure.Core refuses to send bearer tokens over http, so the SDK is given https://127.0.0.1:port and this handler,
/// placed below the SDK's pipeline, sends each request to the loopback fake over plain http.
/// </summary>
internal sealed class SchemeRewritingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { Scheme: "https", IsLoopback: true } uri)
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
