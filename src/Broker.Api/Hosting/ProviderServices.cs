using Broker.Api.Jobs;
using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Persistence;
using Broker.Core.Provisioning;
using Broker.Core.Telemetry;
using Broker.Providers.Aws;
using Broker.Providers.Azure;
using Broker.Providers.Gcp;
using Broker.Providers.Simulated;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Broker.Api.Hosting;

/// <summary>
/// Compute providers, price feeds and the offer catalog. Each real cloud is switched on by <c>Providers:&lt;Aws|Azure|Gcp&gt;:Enabled</c>;
/// with none on, the simulated aws, azure and gcp clouds are used (needs no credentials). Every provider is wrapped in
/// <see cref="GuardedComputeProvider"/>, all sharing one <see cref="UnavailableOfferCache"/> (TTL <c>Providers:BlockTtl</c>)
/// and one <see cref="ProviderHealth"/>. Credentials stay with each adapter's own credential chain: none pass through here.
/// </summary>
public static class ProviderServices
{
    public const string SectionName = "Providers";
    public static readonly TimeSpan DefaultBlockTtl = TimeSpan.FromMinutes(5);

    /// <summary>Configuration section name and registration of each real cloud adapter.</summary>
    private static readonly (string Section, Action<IServiceCollection, IConfiguration> Add)[] RealClouds =
    [
        ("Aws", (s, c) => s.AddAwsProvider(c)),
        ("Azure", (s, c) => s.AddAzureProvider(c)),
        ("Gcp", (s, c) => s.AddGcpProvider(c)),
    ];

    public static IServiceCollection AddBrokerProviders(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => SeedCatalog.Load());
        services.TryAddSingleton(new InterruptionEstimator());
        var ttl = section.GetValue("BlockTtl", DefaultBlockTtl);
        if (ttl <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Providers:BlockTtl must be positive, e.g. 00:05:00.");
        }
        services.TryAddSingleton<SharedStateScope>();
        services.AddSingleton(sp => new UnavailableOfferCache(sp.GetRequiredService<TimeProvider>(), ttl, sp.GetRequiredService<SharedStateScope>()));
        services.AddSingleton(sp => new ProviderHealth(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SharedStateScope>(),
            CircuitOptionsFrom(section.GetSection("Circuit"))));
        services.AddSingleton(GuardOptionsFrom(section.GetSection("Guard")));

        var enabled = RealClouds.Where(c => section.GetValue($"{c.Section}:Enabled", false)).ToList();
        var kind = enabled.Count == 0 ? ComputeProviderKind.Simulated : ComputeProviderKind.Real;
        if (kind == ComputeProviderKind.Simulated)
        {
            AddGuarded(services, s => s.AddSimulatedClouds(configuration));
        }
        foreach (var (_, add) in enabled)
        {
            AddGuarded(services, s => add(s, configuration));
        }
        services.AddScoped(sp => new ComputeProviders(sp.GetServices<IComputeProvider>(), kind));

        services.AddScoped<OfferCatalogService>();
        services.AddScoped<OfferSeeder>();
        services.AddScoped<OfferPriceRefresher>();
        services.AddScoped<PriceRefreshJob>();
        services.AddHostedService<OfferCatalogSeeding>();
        return services;
    }

    /// <summary>
    /// Runs an adapter's own registration, then replaces each <see cref="IComputeProvider"/> it added (unguarded, by its
    /// contract) with the same registration wrapped in <see cref="GuardedComputeProvider"/>, keeping its lifetime.
    /// </summary>
    private static void AddGuarded(IServiceCollection services, Action<IServiceCollection> register)
    {
        var before = services.Where(IsComputeProvider).ToHashSet();
        register(services);
        foreach (var added in services.Where(d => IsComputeProvider(d) && !before.Contains(d)).ToList())
        {
            services.Remove(added);
            services.Add(ServiceDescriptor.Describe(typeof(IComputeProvider), sp => new GuardedComputeProvider(
                Resolve(sp, added), sp.GetRequiredService<UnavailableOfferCache>(), sp.GetRequiredService<ProviderHealth>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<GuardOptions>(), sp.GetRequiredService<BrokerMetrics>()), added.Lifetime));
        }
    }

    private static bool IsComputeProvider(ServiceDescriptor d) => d.ServiceType == typeof(IComputeProvider) && !d.IsKeyedService;

    private static IComputeProvider Resolve(IServiceProvider sp, ServiceDescriptor d) => (IComputeProvider)(
        d.ImplementationInstance
        ?? d.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));

    private static CircuitOptions CircuitOptionsFrom(IConfigurationSection circuit)
    {
        var defaults = CircuitOptions.Default;
        var options = new CircuitOptions(
            circuit.GetValue("FailuresToOpen", defaults.FailuresToOpen),
            circuit.GetValue("OpenFor", defaults.OpenFor),
            circuit.GetValue("ProbeFor", defaults.ProbeFor));
        return options.FailuresToOpen >= 1 && options.OpenFor > TimeSpan.Zero && options.ProbeFor > TimeSpan.Zero
            ? options
            : throw new InvalidOperationException("Providers:Circuit needs FailuresToOpen >= 1 and positive OpenFor and ProbeFor.");
    }

    private static GuardOptions GuardOptionsFrom(IConfigurationSection guard)
    {
        var defaults = GuardOptions.Default;
        var options = new GuardOptions(
            guard.GetValue("MaxAttempts", defaults.MaxAttempts),
            guard.GetValue("BaseDelay", defaults.BaseDelay),
            guard.GetValue("MaxDelay", defaults.MaxDelay));
        return options.MaxAttempts >= 1 && options.BaseDelay >= TimeSpan.Zero && options.MaxDelay >= options.BaseDelay
            ? options
            : throw new InvalidOperationException("Providers:Guard: MaxAttempts must be >= 1 and 0 <= BaseDelay <= MaxDelay.");
    }
}
