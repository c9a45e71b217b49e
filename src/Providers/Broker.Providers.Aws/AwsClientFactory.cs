using System.Collections.Concurrent;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Aws;

/// <summary>One <see cref="IAmazonEC2"/> per region, created on first use and kept for the life of the process.</summary>
public sealed class AwsClientFactory : IDisposable
{
    private readonly AwsOptions options;
    private readonly AWSCredentials? credentials;
    private readonly ConcurrentDictionary<string, Lazy<AmazonEC2Client>> clients = new(StringComparer.Ordinal);

    /// <summary>Production: credentials come from the SDK's default chain, or from <see cref="AwsOptions.ProfileName"/>.</summary>
    public AwsClientFactory(IOptions<AwsOptions> options) => this.options = options.Value;

    /// <summary>Explicit credentials, for tests against a loopback fake.</summary>
    public AwsClientFactory(IOptions<AwsOptions> options, AWSCredentials credentials)
    {
        this.options = options.Value;
        this.credentials = credentials;
    }

    public IAmazonEC2 For(string region) =>
        clients.GetOrAdd(region, r => new Lazy<AmazonEC2Client>(() => Create(r))).Value;

    private AmazonEC2Client Create(string region)
    {
        var config = new AmazonEC2Config
        {
            // Broker's GuardedComputeProvider is the only layer that retries: it backs off on throttling, blocks offers on
            // capacity errors and never retries credential errors. SDK retries underneath it would multiply attempts and
            // hide throttling from it, so they are switched off, stale-connection retries included.
            MaxErrorRetry = 0,
            MaxStaleConnectionRetries = 0,
        };
        if (options.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        if (credentials is not null)
        {
            return new AmazonEC2Client(credentials, config);
        }
        if (options.ProfileName is { Length: > 0 } profile)
        {
            config.Profile = new Profile(profile);
        }
        return new AmazonEC2Client(config);
    }

    public void Dispose()
    {
        foreach (var client in clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }
        clients.Clear();
    }
}
