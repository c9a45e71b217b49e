using Broker.Core.OnPrem;
using Hangfire;

namespace Broker.Api.Background;

/// <summary>Every minute: on-prem inventory into the database, one utilization sample per node.</summary>
public sealed class SyncInventoryJob(InventorySync sync)
{
    public const string Id = "onprem:inventory";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => sync.RunAsync(cancellationToken);
}
