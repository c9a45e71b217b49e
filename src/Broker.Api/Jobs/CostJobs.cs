using Broker.Core.Costs.Idle;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>Every minute: prices closed allocations the release path did not (a crash, Slurm away). Safe to run twice at once.</summary>
public sealed class RecordCostsJob(CostRecorder recorder, RunLocks locks)
{
    public const string Id = "costs:record";

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) =>
        locks.RunExclusiveAsync(Id, () => recorder.RecordClosedAsync(500, cancellationToken), cancellationToken);
}

/// <summary>Every few minutes: folds new ledger entries and finished hours of utilization samples into the report rollups.</summary>
public sealed class RollUpCostsJob(LedgerRollup ledger, OnPremIdleCost idle, RunLocks locks)
{
    public const string Id = "costs:rollup";

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => locks.RunExclusiveAsync(Id, async () =>
    {
        await ledger.RollUpAsync(cancellationToken);
        await idle.RollUpAsync(cancellationToken);
    }, cancellationToken);
}
