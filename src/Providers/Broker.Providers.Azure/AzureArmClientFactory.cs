using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;

namespace Broker.Providers.Azure;

/// <summary>Builds the <see cref="ArmClient"/> the adapter uses.</summary>
public static class AzureArmClientFactory
{
    /// <param name="transport">Optional HTTP handler, e.g. the tests' scheme-rewriting handler for a loopback fake.</param>
    public static ArmClient Create(AzureOptions options, TokenCredential credential, HttpMessageHandler? transport = null)
    {
        var armOptions = new ArmClientOptions();
        // GuardedComputeProvider is the single retry layer. If Azure.Core retried too, one throttled create would be
        // sent up to 4 times per guard attempt (against a subscription that is already throttled), Retry-After would be
        // honoured in two places, and a capacity error would reach the guard only after the SDK's backoff.
        armOptions.Retry.MaxRetries = 0;
        armOptions.SetApiVersion(AzureNetworkInterfaces.ResourceType, options.NetworkApiVersion);
        if (options.ArmEndpoint is { } endpoint)
        {
            armOptions.Environment = new ArmEnvironment(endpoint, ArmEnvironment.AzurePublicCloud.Audience);
        }
        if (transport is not null)
        {
            armOptions.Transport = new HttpClientTransport(new HttpClient(transport));
        }
        return new ArmClient(credential, options.SubscriptionId, armOptions);
    }
}
