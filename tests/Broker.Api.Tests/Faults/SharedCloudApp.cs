using Broker.Api.Tests.Lifecycle;
using Broker.Core.Capacity.Catalog;
using Broker.Providers.Simulated;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Api.Tests.Faults;

/// <summary>
/// A simulated cloud that outlives the Broker process using it, as a real cloud outlives a restart: its instances and
/// event feed are given to each app instead of being created by (and disposed with) the app's container.
/// </summary>
public sealed class SharedClouds : IDisposable
{
    public SharedClouds()
    {
        var options = new SimulatedCloudOptions
        {
            TimeScale = 3600, ProvisioningDelay = TimeSpan.FromMinutes(5), SpotInterruptionsPerHour = 0,
        };
        Clouds = new SimulatedClouds(SeedCatalog.Load().Offers, options, TimeProvider.System, Events,
            new StartupScriptWorkload(options.DefaultJobDuration));
    }

    public SimulatedInstanceEvents Events { get; } = new();

    public SimulatedClouds Clouds { get; }

    public void Dispose() => Clouds.Dispose();
}

/// <summary>The lifecycle app on the given clouds and, when named, on an existing database (a restarted process).</summary>
public sealed class SharedCloudApp(SharedClouds shared, string? connectionString = null) : LifecycleApp
{
    protected override Task<string> CreateDatabaseAsync() => connectionString is null ? base.CreateDatabaseAsync() : Task.FromResult(connectionString);

    protected override void OverrideServices(IServiceCollection services)
    {
        base.OverrideServices(services);
        services.AddSingleton(shared.Events);
        services.AddSingleton(shared.Clouds);
    }
}
