using Broker.Core.OnPrem;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>Every minute: on-prem inventory into the database, one utilization sample per node.</summary>
public sealed class SyncInventoryJob(InventorySync sync, RunLocks locks)
{
    public const string Id = "onprem:inventory";

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => locks.RunExclusiveAsync(Id, () => sync.RunAsync(cancellationToken), cancellationToken);
}
