using Azure.Core;
using Azure.Identity;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Azure;

public static class AzureServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AzureComputeProvider"/> (also as <see cref="IComputeProvider"/>) and
    /// <see cref="AzureRetailPriceSource"/> (also as <see cref="IPriceSource"/>), bound from <c>Providers:Azure</c>.
    /// Credentials come from <see cref="DefaultAzureCredential"/> unless a <see cref="TokenCredential"/> was registered before.
    /// The raw unguarded adapter is registered: the composition root wraps it in <see cref="GuardedComputeProvider"/>.
    /// </summary>
    public static IServiceCollection AddAzureProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureOptions>().Bind(configuration.GetSection(AzureOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(sp => new AzureComputeProvider(
            AzureArmClientFactory.Create(Options(sp), sp.GetRequiredService<TokenCredential>()), Options(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IComputeProvider>(sp => sp.GetRequiredService<AzureComputeProvider>());
        services.AddHttpClient(nameof(AzureRetailPriceSource));
        services.AddTransient(sp => new AzureRetailPriceSource(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AzureRetailPriceSource)), Options(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddTransient<IPriceSource>(sp => sp.GetRequiredService<AzureRetailPriceSource>());
        return services;
    }

    private static AzureOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<AzureOptions>>().Value;
}
