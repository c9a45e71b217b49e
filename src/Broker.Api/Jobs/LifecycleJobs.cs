using Broker.Core.Provisioning;
using Hangfire;

namespace Broker.Api.Background;

/// <summary>Carries one allocation out. Safe to run twice, even at once: the worker re-reads and the provider call is idempotent.</summary>
public sealed class ProvisionAllocationJob(AllocationWorker worker)
{
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [5, 15, 30, 60, 120])]
    public Task RunAsync(Guid allocationId, CancellationToken cancellationToken) => worker.ProvisionAsync(allocationId, cancellationToken);
}

/// <summary>Every few seconds: converge allocations with what the providers and the cluster report.</summary>
public sealed class ReconcileJob(Reconciler reconciler, IBackgroundJobClient jobs)
{
    public const string Id = "lifecycle:reconcile";

    [DisableConcurrentExecution(timeoutInSeconds: 30)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var result = await reconciler.RunAsync(cancellationToken);
        foreach (var allocation in result.ToProvision)
        {
            jobs.Enqueue<ProvisionAllocationJob>(j => j.RunAsync(allocation, CancellationToken.None));
        }
    }
}
