using Broker.Api.Jobs;
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
    ILogger<RecurringSchedules> logger) : IHostedService, IDisposable
{
    private readonly TimeSpan retryEvery = configuration.GetValue("Hangfire:ScheduleRetryInterval", TimeSpan.FromSeconds(15));
    private readonly CancellationTokenSource stopping = new();
    private Task retrying = Task.CompletedTask;
    private int disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var registry = scope.ServiceProvider.GetRequiredService<ComputeProviders>();
        logger.LogInformation("Compute providers: {Providers} ({Kind})", string.Join(", ", registry.Names), registry.Kind);
        if (BackgroundJobs.ServerEnabled(configuration) && !TryRegister())
        {
            retrying = RetryUntilRegisteredAsync(stopping.Token);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (retrying.IsCompleted || Volatile.Read(ref disposed) == 1)
        {
            return;
        }
        try
        {
            await stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Disposed first: Dispose cancelled the retries already.
        }
        await retrying.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // Test hosts dispose twice, and may stop after disposing.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            stopping.Cancel();
            stopping.Dispose();
        }
    }

    /// <summary>
    /// A replica SIGKILLed while Hangfire's scheduler held a recurring job's lock row leaves it behind until the storage's
    /// lock timeout; registering then times out. The schedules already exist (another replica registered them), so this
    /// replica starts anyway and registers when the lock is free, instead of failing its host.
    /// </summary>
    private bool TryRegister()
    {
        try
        {
            Register();
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Recurring schedules not registered yet; retrying every {Interval}", retryEvery);
            return false;
        }
    }

    private async Task RetryUntilRegisteredAsync(CancellationToken ct)
    {
        try
        {
            do
            {
                await Task.Delay(retryEvery, ct);
            }
            while (!TryRegister());
            logger.LogInformation("Recurring schedules registered");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

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
