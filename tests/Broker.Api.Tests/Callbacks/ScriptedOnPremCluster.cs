using System.Collections.Concurrent;
using Broker.Core.Provisioning;

namespace Broker.Api.Tests.Callbacks;

/// <summary>
/// An on-prem cluster whose answer about each job the test sets (what Slurm would say), or that cannot be reached.
/// Only <see cref="GetJobAsync"/> matters to callbacks; the rest answers like an empty cluster.
/// </summary>
public sealed class ScriptedOnPremCluster : IOnPremCluster
{
    private readonly ConcurrentDictionary<Guid, OnPremJobState> states = new();

    public bool Unreachable { get; set; }

    public int JobQueries;

    public void Says(Guid allocationId, OnPremJobState state) => states[allocationId] = state;

    public Task<ClusterInventory> GetInventoryAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterInventory(true, null, []));

    public Task<OnPremJobStatus> SubmitAsync(OnPremJobRequest request, CancellationToken cancellationToken) =>
        throw new ClusterUnavailableException("the scripted cluster takes no jobs");

    public Task<OnPremJobStatus?> GetJobAsync(Guid allocationId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref JobQueries);
        if (Unreachable)
        {
            throw new ClusterUnavailableException("slurmrestd is not answering");
        }
        return Task.FromResult(states.TryGetValue(allocationId, out var state)
            ? new OnPremJobStatus("4242", allocationId, state, "gpu-h100-1", null, null, state == OnPremJobState.Failed ? 7 : 0)
            : null);
    }

    public Task CancelAsync(Guid allocationId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The jobs the test said something about, named as the Slurm adapter names them.</summary>
    public Task<IReadOnlyList<OnPremClusterJob>> ListBrokerJobsAsync(CancellationToken cancellationToken) => Unreachable
        ? throw new ClusterUnavailableException("slurmrestd is not answering")
        : Task.FromResult<IReadOnlyList<OnPremClusterJob>>([.. states.Select(s => new OnPremClusterJob("4242", $"broker-{s.Key:D}", s.Value, s.Key))]);
}
