using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Slurm;

public static class SlurmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IOnPremCluster"/> backed by slurmrestd, configured from the <c>Slurm</c> section
    /// (<see cref="SlurmOptions"/>: BaseUrl, UserName, Token, Partition, RequestTimeout).
    /// Options are read on every call, so a reloaded token is picked up without a restart.
    /// </summary>
    public static IServiceCollection AddSlurmCluster(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<SlurmOptions>(configuration.GetSection(SlurmOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SlurmClusterState>();
        // Timeouts are applied per request from SlurmOptions.RequestTimeout. The per-request HttpClient logs are dropped:
        // inventory polls would flood the log, and SlurmHealthLog already reports outages and recoveries once.
        services.AddHttpClient<SlurmRestClient>(http => http.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.AddTransient<IOnPremCluster>(sp => new SlurmCluster(
            sp.GetRequiredService<SlurmRestClient>(),
            sp.GetRequiredService<SlurmClusterState>(),
            sp.GetRequiredService<IOptionsMonitor<SlurmOptions>>(),
            sp.GetRequiredService<ILogger<SlurmCluster>>()));
        return services;
    }
}
