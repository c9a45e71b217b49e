using Broker.Core.Provisioning;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>
/// Carries one allocation out (what builds before <see cref="ProvisionAllocationsJob"/> enqueued, still run during a rolling
/// upgrade). Safe to run twice, even at once: the worker re-reads and the provider call is idempotent.
/// Hangfire never retries it: permanent errors end in the worker (the allocation fails, the job is requeued or failed), and
/// after a transient one the allocation stays Requested, which the reconciler hands back once per interval until the launch
/// timeout. A Hangfire retry on top would stack a second, unbounded retry loop (and a failed run is deleted, not kept, so a
/// long outage does not fill the dashboard; Hangfire still logs each one).
/// </summary>
public sealed class ProvisionAllocationJob(AllocationWorker worker)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task RunAsync(Guid allocationId, CancellationToken cancellationToken) => worker.ProvisionAsync(allocationId, cancellationToken);
}

/// <summary>
/// Carries a chunk of allocations out (those of one placement pass, or those the reconciler handed back): one Hangfire job
/// per chunk instead of one per allocation, whose own cost (about 25 commits each) dominated the lifecycle under load. Its
/// single cloud instances go together (<see cref="AllocationWorker.ProvisionChunkAsync"/>: the rows read once, the launches
/// recorded in one transaction); the rest one by one, at most <see cref="LifecycleOptions.ProvisionParallelism"/> at once,
/// each in its own scope. Safe to run twice, even at once. An allocation that fails transiently stays Requested, and the
/// reconciler hands it back (so does it for a chunk that was lost whole); the others in the chunk go on.
/// </summary>
public sealed class ProvisionAllocationsJob(IServiceScopeFactory scopes, LifecycleOptions options, ILogger<ProvisionAllocationsJob> logger)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(Guid[] allocationIds, CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> oneByOne;
        await using (var scope = scopes.CreateAsyncScope())
        {
            try
            {
                oneByOne = await scope.ServiceProvider.GetRequiredService<AllocationWorker>()
                    .ProvisionChunkAsync(allocationIds, options.ProvisionParallelism, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Provisioning a chunk of {Count} allocations failed; they go one by one", allocationIds.Length);
                oneByOne = allocationIds;
            }
        }
        await OneByOneAsync(oneByOne, cancellationToken);
    }

    private Task OneByOneAsync(IReadOnlyList<Guid> allocationIds, CancellationToken cancellationToken) => Parallel.ForEachAsync(allocationIds,
        new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ProvisionParallelism), CancellationToken = cancellationToken },
        async (allocationId, ct) =>
        {
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                await scope.ServiceProvider.GetRequiredService<AllocationWorker>().ProvisionAsync(allocationId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Provisioning allocation {Allocation} failed; the reconciler hands it back", allocationId);
            }
        });
}

/// <summary>Enqueues provisioning for a pass's allocations: one <see cref="ProvisionAllocationsJob"/> per chunk.</summary>
public static class ProvisioningQueue
{
    public static void EnqueueProvisioning(this IBackgroundJobClient jobs, IEnumerable<Guid> allocationIds, LifecycleOptions options)
    {
        foreach (var chunk in allocationIds.Chunk(Math.Max(1, options.ProvisionChunkSize)))
        {
            jobs.Enqueue<ProvisionAllocationsJob>(j => j.RunAsync(chunk, CancellationToken.None));
        }
    }
}

/// <summary>
/// Every few seconds: converge allocations with what the providers and the cluster report. A run that finds another
/// replica's run under way skips (the next one is seconds away).
/// </summary>
public sealed class ReconcileJob(Reconciler reconciler, IBackgroundJobClient jobs, RunLocks locks, LifecycleOptions options)
{
    public const string Id = "lifecycle:reconcile";

    [AutomaticRetry(Attempts = 0)]
    [Queue(ControlQueue.Name)]
    public Task RunAsync(CancellationToken cancellationToken) => locks.RunExclusiveAsync(Id, async () =>
    {
        var result = await reconciler.RunAsync(cancellationToken);
        jobs.EnqueueProvisioning(result.ToProvision, options);
    }, cancellationToken);
}
