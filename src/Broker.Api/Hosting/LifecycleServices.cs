using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Broker.Providers.Simulated;

namespace Broker.Api.Hosting;

public static class LifecycleServices
{
    /// <summary>Placement passes, provisioning, instance events and reconciliation.</summary>
    public static IServiceCollection AddBrokerLifecycle(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Placement").Get<PlacementSettings>() ?? new PlacementSettings());
        services.AddSingleton(configuration.GetSection("Lifecycle").Get<LifecycleOptions>() ?? new LifecycleOptions());
        services.AddSingleton(CallbackTokens.FromConfiguredSecret(configuration["Callbacks:Secret"]
            ?? throw new InvalidOperationException("Callbacks:Secret is not set: instance callback tokens are derived from it.")));
        services.AddSingleton(configuration.GetSection("Logs").Get<Core.Logs.LogOptions>() ?? new Core.Logs.LogOptions());
        services.AddScoped<Core.Logs.LogStore>();
        services.AddSingleton<Jobs.PlacementTrigger>();
        services.AddScoped<PlacementSnapshotBuilder>();
        services.AddScoped<CapacityCheck>();
        services.AddSingleton<SubmitCapacityCatalog>();
        services.AddScoped<Core.Prediction.RuntimePredictions>();
        services.AddScoped<Core.Prediction.RuntimeTraining>();
        services.AddScoped<PlacementRound>();
        services.AddScoped<PlacementWakeUps>();
        services.AddSingleton<IPassScheduler, Jobs.HangfirePassScheduler>();
        services.AddScoped<AllocationWorker>();
        services.AddScoped<Reconciler>();
        services.AddScoped<Core.Fleet.FleetQuery>();
        services.AddScoped<Core.Fleet.InstanceTerminations>();
        if (services.Any(s => s.ServiceType == typeof(SimulatedInstanceEvents)))
        {
            services.AddHostedService<SimulatedInstanceBridge>();
        }
        return services;
    }
}
