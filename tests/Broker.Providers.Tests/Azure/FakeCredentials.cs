using Azure.Core;
using Azure.Identity;

namespace Broker.Providers.Tests.Azure;

/// <summary>Hands out the token the fake ARM accepts, and counts how often it was asked.</summary>
internal sealed class FakeTokenCredential : TokenCredential
{
    private int requests;

    public int Requests => requests;

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref requests);
        return new AccessToken(FakeArm.Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>A credential whose sign-in fails, as DefaultAzureCredential does with a revoked client secret.</summary>
internal sealed class RejectedCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        throw new AuthenticationFailedException("ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided.");

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
