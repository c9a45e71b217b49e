using Google.Apis.Auth.OAuth2;

namespace Broker.Providers.Gcp.Auth;

/// <summary>
/// Application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file or the metadata server), scoped for
/// Compute Engine and the read-only billing catalog. Google.Apis.Auth caches the token and refreshes it before expiry.
/// </summary>
public sealed class GoogleCredentialAccessTokenProvider : IGcpAccessTokenProvider
{
    public static readonly IReadOnlyList<string> DefaultScopes =
    [
        "https://www.googleapis.com/auth/compute",
        "https://www.googleapis.com/auth/cloud-billing.readonly",
    ];

    private readonly IReadOnlyList<string> scopes;
    private readonly SemaphoreSlim gate = new(1, 1);
    private ITokenAccess? credential;

    public GoogleCredentialAccessTokenProvider(IReadOnlyList<string>? scopes = null) => this.scopes = scopes ?? DefaultScopes;

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var access = credential ?? await LoadAsync(cancellationToken);
        return await access.GetAccessTokenForRequestAsync(authUri: null, cancellationToken);
    }

    private async Task<ITokenAccess> LoadAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (credential is null)
            {
                var adc = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken);
                credential = adc.CreateScoped(scopes);
            }
            return credential;
        }
        finally
        {
            gate.Release();
        }
    }
}
