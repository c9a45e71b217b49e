namespace Broker.Providers.Gcp.Auth;

/// <summary>A fixed token, for tests against loopback fakes.</summary>
public sealed class StaticAccessTokenProvider(string token) : IGcpAccessTokenProvider
{
    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => Task.FromResult(token);

    public override string ToString() => "StaticAccessTokenProvider(***)";
}
