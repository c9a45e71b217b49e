namespace Broker.Providers.Gcp.Auth;

/// <summary>Supplies OAuth2 bearer tokens for Google APIs. Implementations cache and refresh; callers never log the token.</summary>
public interface IGcpAccessTokenProvider
{
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}
