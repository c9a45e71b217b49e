using Broker.Api.Background;
using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Hangfire;

namespace Broker.Api.Hosting;

/// <summary>
/// The one owner of Broker's recurring jobs. It registers (or updates) them all when the host starts, and only where
/// <c>Hangfire:ServerEnabled</c> is true, so where and in what order the composition root adds its services or maps its
/// endpoints does not matter. Any replica may register; the ids make it idempotent. A new recurring job is one line in
/// <see cref="Register"/>.
/// </summary>
public sealed class RecurringSchedules(IRecurringJobManager recurring, IConfiguration configuration, IServiceScopeFactory scopes,
    ILogger<RecurringSchedules> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var registry = scope.ServiceProvider.GetRequiredService<ComputeProviders>();
        logger.LogInformation("Compute providers: {Providers} ({Kind})", string.Join(", ", registry.Names), registry.Kind);
        if (BackgroundJobs.ServerEnabled(configuration))
        {
            Register();
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Register()
    {
        recurring.AddOrUpdate<SyncInventoryJob>(SyncInventoryJob.Id, j => j.RunAsync(CancellationToken.None),
            configuration["Schedules:Inventory"] ?? Cron.Minutely());
        recurring.AddOrUpdate<PlacementPassJob>(PlacementPassJob.Id, j => j.RunAsync(CancellationToken.None),
            configuration["Schedules:Placement"] ?? "*/15 * * * * *");
        recurring.AddOrUpdate<ReconcileJob>(ReconcileJob.Id, j => j.RunAsync(CancellationToken.None),
            configuration["Schedules:Reconcile"] ?? "*/10 * * * * *");
        recurring.AddOrUpdate<RecordCostsJob>(RecordCostsJob.Id, j => j.RunAsync(CancellationToken.None),
            configuration["Schedules:CostRecording"] ?? Cron.Minutely());
        recurring.AddOrUpdate<RollUpCostsJob>(RollUpCostsJob.Id, j => j.RunAsync(CancellationToken.None),
            configuration["Schedules:CostRollup"] ?? "*/5 * * * *");
        recurring.AddOrUpdate<WhatIfSweepJob>(WhatIfSweepJob.Id, j => j.RunAsync(CancellationToken.None),
            configuration["Schedules:WhatIfSweep"] ?? Cron.Minutely());
        recurring.AddOrUpdate<RuntimeModelJob>(RuntimeModelJob.Id, j => j.RunAsync(CancellationToken.None),
            configuration["Schedules:RuntimeModel"] ?? Cron.Minutely());
        using var scope = scopes.CreateScope();
        var priced = scope.ServiceProvider.GetServices<IPriceSource>().Select(s => s.Provider).Distinct(StringComparer.Ordinal).ToList();
        PriceRefreshSchedule.Register(recurring, configuration, priced, logger);
    }
}
