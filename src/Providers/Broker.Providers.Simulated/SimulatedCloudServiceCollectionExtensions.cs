using Broker.Core.Capacity.Catalog;
using Broker.Core.Provisioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Simulated;

public static class SimulatedCloudServiceCollectionExtensions
{
    /// <summary>
    /// Registers the simulated aws, azure and gcp clouds as three <see cref="IComputeProvider"/>s, with options bound from
    /// <c>Providers:Simulated</c>. Also registers, unless already there: <see cref="TimeProvider.System"/>, the shared
    /// <see cref="SimulatedInstanceEvents"/>, <see cref="StartupScriptWorkload"/> as <see cref="ISimulatedWorkload"/>, and the
    /// embedded seed catalog as <see cref="CatalogLoadResult"/> (its offers are what the clouds sell).
    /// </summary>
    public static IServiceCollection AddSimulatedClouds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SimulatedCloudOptions>().Bind(configuration.GetSection(SimulatedCloudOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SimulatedInstanceEvents>();
        services.TryAddSingleton<ISimulatedWorkload>(sp =>
            new StartupScriptWorkload(sp.GetRequiredService<IOptions<SimulatedCloudOptions>>().Value.DefaultJobDuration));
        services.TryAddSingleton(_ => SeedCatalog.Load());
        services.TryAddSingleton(sp => new SimulatedClouds(
            sp.GetRequiredService<CatalogLoadResult>().Offers,
            sp.GetRequiredService<IOptions<SimulatedCloudOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SimulatedInstanceEvents>(),
            sp.GetRequiredService<ISimulatedWorkload>()));
        foreach (var name in SimulatedCloud.ProviderNames)
        {
            services.AddSingleton<IComputeProvider>(sp => sp.GetRequiredService<SimulatedClouds>()[name]);
        }
        return services;
    }
}
