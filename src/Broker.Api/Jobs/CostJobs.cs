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
