using Broker.Core.Provisioning;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>
/// Carries one allocation out. Safe to run twice, even at once: the worker re-reads and the provider call is idempotent.
/// Hangfire never retries it: permanent errors end in the worker (the allocation fails, the job is requeued or failed), and
/// after a transient one the allocation stays Requested, which the reconciler hands back every round until the launch
/// timeout. A Hangfire retry on top would stack a second, unbounded retry loop (and a failed run is deleted, not kept, so a
/// long outage does not fill the dashboard; Hangfire still logs each one).
/// </summary>
public sealed class ProvisionAllocationJob(AllocationWorker worker)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task RunAsync(Guid allocationId, CancellationToken cancellationToken) => worker.ProvisionAsync(allocationId, cancellationToken);
}

/// <summary>
/// Every few seconds: converge allocations with what the providers and the cluster report. A run that finds another
/// replica's run under way skips (the next one is seconds away).
/// </summary>
public sealed class ReconcileJob(Reconciler reconciler, IBackgroundJobClient jobs, RunLocks locks)
{
    public const string Id = "lifecycle:reconcile";

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => locks.RunExclusiveAsync(Id, async () =>
    {
        var result = await reconciler.RunAsync(cancellationToken);
        foreach (var allocation in result.ToProvision)
        {
            jobs.Enqueue<ProvisionAllocationJob>(j => j.RunAsync(allocation, CancellationToken.None));
        }
    }, cancellationToken);
}
