using Broker.Core.Provisioning;
using Broker.Core.Scheduling;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>A placement pass, on a short schedule and whenever jobs arrive; the allocations it writes go to provisioning.</summary>
public sealed class PlacementPassJob(PlacementRound round, IBackgroundJobClient jobs, LifecycleOptions options)
{
    public const string Id = "placement:pass";

    [AutomaticRetry(Attempts = 0)]
    [Queue(ControlQueue.Name)]
    public Task RunAsync(CancellationToken cancellationToken) => PassAsync(waitForLock: false, cancellationToken);

    /// <summary>A timed pass at a waiting job's wait limit: it waits for a concurrent pass to finish rather than skip.</summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue(ControlQueue.Name)]
    public Task RunTimedAsync(CancellationToken cancellationToken) => PassAsync(waitForLock: true, cancellationToken);

    private async Task PassAsync(bool waitForLock, CancellationToken cancellationToken)
    {
        jobs.EnqueueProvisioning(await round.RunAsync(cancellationToken, waitForLock), options);
    }
}
