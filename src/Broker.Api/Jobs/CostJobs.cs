using Broker.Core.Costs;
using Hangfire;

namespace Broker.Api.Background;

/// <summary>Every minute: prices closed allocations the release path did not (a crash, Slurm away). Safe to run twice at once.</summary>
public sealed class RecordCostsJob(CostRecorder recorder)
{
    public const string Id = "costs:record";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => recorder.RecordClosedAsync(500, cancellationToken);
}

/// <summary>Every few minutes: folds new ledger entries and finished hours of utilization samples into the report rollups.</summary>
public sealed class RollUpCostsJob(LedgerRollup ledger, OnPremIdleCost idle)
{
    public const string Id = "costs:rollup";

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await ledger.RollUpAsync(cancellationToken);
        await idle.RollUpAsync(cancellationToken);
    }
}
