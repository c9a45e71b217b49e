using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Aws;

public static class AwsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the EC2 adapter (<see cref="AwsComputeProvider"/>, also as an <see cref="IComputeProvider"/>) and the spot
    /// price feed (<see cref="AwsSpotPriceSource"/>, also as an <see cref="IPriceSource"/>), bound from <c>Providers:Aws</c>.
    /// The caller checks <see cref="AwsOptions.Enabled"/> and wraps the adapter in <see cref="GuardedComputeProvider"/>.
    /// </summary>
    public static IServiceCollection AddAwsProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AwsOptions>()
            .Bind(configuration.GetSection(AwsOptions.SectionName))
            .Validate(o => o.Regions.Count > 0, "Providers:Aws:Regions must list at least one region")
            .Validate(o => o.Regions.All(r => o.ImageFor(r) is not null),
                "Providers:Aws needs an ImageIds entry or a DefaultImageId for every region");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AwsClientFactory(sp.GetRequiredService<IOptions<AwsOptions>>()));
        services.TryAddSingleton<AwsComputeProvider>();
        services.TryAddSingleton<AwsSpotPriceSource>();
        services.AddSingleton<IComputeProvider>(sp => sp.GetRequiredService<AwsComputeProvider>());
        services.AddSingleton<IPriceSource>(sp => sp.GetRequiredService<AwsSpotPriceSource>());
        return services;
    }
}
