using Broker.Api.Background;
using Hangfire;

namespace Broker.Api.Hosting;

public static class RecurringJobs
{
    /// <summary>Registers (or updates) Broker's recurring jobs; any replica may do it, the ids make it idempotent.</summary>
    public static WebApplication UseBrokerRecurringJobs(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Hangfire:ServerEnabled", false))
        {
            return app;
        }
        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<SyncInventoryJob>(SyncInventoryJob.Id, j => j.RunAsync(CancellationToken.None),
            app.Configuration["Schedules:Inventory"] ?? Cron.Minutely());
        recurring.AddOrUpdate<PlacementPassJob>(PlacementPassJob.Id, j => j.RunAsync(CancellationToken.None),
            app.Configuration["Schedules:Placement"] ?? "*/15 * * * * *");
        recurring.AddOrUpdate<ReconcileJob>(ReconcileJob.Id, j => j.RunAsync(CancellationToken.None),
            app.Configuration["Schedules:Reconcile"] ?? "*/10 * * * * *");
        recurring.AddOrUpdate<RecordCostsJob>(RecordCostsJob.Id, j => j.RunAsync(CancellationToken.None),
            app.Configuration["Schedules:CostRecording"] ?? Cron.Minutely());
        recurring.AddOrUpdate<RollUpCostsJob>(RollUpCostsJob.Id, j => j.RunAsync(CancellationToken.None),
            app.Configuration["Schedules:CostRollup"] ?? "*/5 * * * *");
        recurring.AddOrUpdate<WhatIfSweepJob>(WhatIfSweepJob.Id, j => j.RunAsync(CancellationToken.None),
            app.Configuration["Schedules:WhatIfSweep"] ?? Cron.Minutely());
        recurring.AddOrUpdate<RuntimeModelJob>(RuntimeModelJob.Id, j => j.RunAsync(CancellationToken.None),
            app.Configuration["Schedules:RuntimeModel"] ?? Cron.Minutely());
        return app;
    }
}
