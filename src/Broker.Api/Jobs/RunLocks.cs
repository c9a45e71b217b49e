using Broker.Core.Persistence;

namespace Broker.Api.Jobs;

/// <summary>One run at a time across replicas for the recurring jobs that only save work by not overlapping.</summary>
public sealed class RunLocks(string connectionString)
{
    /// <summary>Runs <paramref name="work"/> unless another replica's run of <paramref name="name"/> holds the lock (then skips).</summary>
    public async Task RunExclusiveAsync(string name, Func<Task> work, CancellationToken ct)
    {
        await using var held = await SessionAdvisoryLock.TryAcquireAsync(connectionString, name, ct);
        if (held is not null)
        {
            await work();
        }
    }
}
