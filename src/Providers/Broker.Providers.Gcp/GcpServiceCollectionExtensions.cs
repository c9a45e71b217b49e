using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Gcp.Auth;
using Broker.Providers.Gcp.Compute;
using Broker.Providers.Gcp.Pricing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Gcp;

public static class GcpServiceCollectionExtensions
{
    /// <summary>
    /// Registers the GCP adapter from configuration section <c>Providers:Gcp</c> (<see cref="GcpOptions"/>):
    /// <see cref="GcpComputeProvider"/> (also as an <see cref="IComputeProvider"/>; wrap it in
    /// <see cref="GuardedComputeProvider"/>), <see cref="GcpBillingPriceSource"/> (also as an <see cref="IPriceSource"/>) and
    /// application default credentials as the <see cref="IGcpAccessTokenProvider"/> unless one is already registered.
    /// The HttpClients get no retry handlers: the guard layer is the only one that retries.
    /// </summary>
    public static IServiceCollection AddGcpProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<GcpOptions>(configuration.GetSection(GcpOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGcpAccessTokenProvider>(_ => new GoogleCredentialAccessTokenProvider());

        // zoneOperations.wait may hold the request for up to two minutes.
        services.AddHttpClient(nameof(GcpComputeClient), http => http.Timeout = TimeSpan.FromMinutes(3))
            .AddTypedClient((http, sp) => new GcpComputeClient(http, sp.GetRequiredService<IGcpAccessTokenProvider>(),
                Options(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddHttpClient(nameof(GcpBillingPriceSource))
            .AddTypedClient((http, sp) => new GcpBillingPriceSource(http, sp.GetRequiredService<IGcpAccessTokenProvider>(),
                Options(sp), sp.GetRequiredService<TimeProvider>()));

        services.AddTransient(sp => ActivatorUtilities.CreateInstance<GcpComputeProvider>(sp, Options(sp)));
        services.AddTransient<IComputeProvider>(sp => sp.GetRequiredService<GcpComputeProvider>());
        services.AddTransient<IPriceSource>(sp => sp.GetRequiredService<GcpBillingPriceSource>());
        return services;
    }

    private static GcpOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<GcpOptions>>().Value;
}
