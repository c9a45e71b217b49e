using Broker.Core.Prediction;
using Hangfire;

namespace Broker.Api.Jobs;

/// <summary>
/// Every minute: retrains the runtime predictor when a job has succeeded since the last training, refreshes waiting jobs'
/// predictions and records finished jobs' real runtimes (ADR 0008). Safe on several replicas: the training runs under a
/// PostgreSQL advisory lock and a second concurrent run skips.
/// </summary>
public sealed class RuntimeModelJob(RuntimeTraining training)
{
    public const string Id = "runtime:train";

    [AutomaticRetry(Attempts = 0)]
    public Task<RuntimeTrainingResult> RunAsync(CancellationToken cancellationToken) => training.RunAsync(cancellationToken);
}
