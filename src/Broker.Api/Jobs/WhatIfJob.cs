using Broker.Core.WhatIf;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>Computes one what-if. Safe to run twice at once (the run is claimed in PostgreSQL); a transient failure is retried.</summary>
public sealed class WhatIfJob(WhatIfExecutor executor)
{
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [5, 30])]
    public Task RunAsync(Guid id, CancellationToken cancellationToken) => executor.RunAsync(id, cancellationToken);
}

/// <summary>Every minute: re-enqueues runs nobody computes (an enqueue lost after the commit, a worker that crashed).</summary>
public sealed class WhatIfSweepJob(WhatIfClaims claims, IBackgroundJobClient jobs, RunLocks locks)
{
    public const string Id = "what-if:sweep";

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => locks.RunExclusiveAsync(Id, async () =>
    {
        foreach (var id in await claims.StaleAsync(TimeSpan.FromMinutes(1), cancellationToken))
        {
            jobs.Enqueue<WhatIfJob>(j => j.RunAsync(id, CancellationToken.None));
        }
    }, cancellationToken);
}
