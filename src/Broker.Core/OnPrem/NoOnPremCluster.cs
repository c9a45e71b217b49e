using Broker.Core.Provisioning;

namespace Broker.Core.OnPrem;

/// <summary>Stands in when no Slurm cluster is configured: no on-prem capacity, and nothing is ever submitted to it.</summary>
public sealed class NoOnPremCluster : IOnPremCluster
{
    private const string Reason = "No on-prem cluster is configured (set Slurm:BaseUrl and Slurm:Token).";

    public Task<ClusterInventory> GetInventoryAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ClusterInventory.Unavailable(Reason));

    public Task<OnPremJobStatus> SubmitAsync(OnPremJobRequest request, CancellationToken cancellationToken) =>
        throw new ClusterUnavailableException(Reason);

    public Task<OnPremJobStatus?> GetJobAsync(Guid allocationId, CancellationToken cancellationToken) =>
        Task.FromResult<OnPremJobStatus?>(null);

    public Task CancelAsync(Guid allocationId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<OnPremClusterJob>> ListBrokerJobsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OnPremClusterJob>>([]);
}
