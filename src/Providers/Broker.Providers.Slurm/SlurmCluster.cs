using Broker.Core.Capacity;
using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Providers.Slurm;

/// <summary>
/// <see cref="IOnPremCluster"/> over slurmrestd v0.0.38. Jobs are named <c>broker-&lt;allocation id&gt;</c>; that name is the
/// idempotency key: a submit first looks for a job of that name, and when replicas race the lowest Slurm job id wins and
/// later duplicates are cancelled. An unreachable or misconfigured slurmrestd makes the inventory unavailable (logged once
/// per occurrence) and the other calls throw <see cref="ClusterUnavailableException"/>; the next call tries again.
/// </summary>
internal sealed class SlurmCluster(SlurmRestClient client, SlurmClusterState state, IOptionsMonitor<SlurmOptions> options,
    ILogger<SlurmCluster> logger) : IOnPremCluster
{
    private const string ProviderName = "slurm";

    public async Task<ClusterInventory> GetInventoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            var partition = options.CurrentValue.Partition;
            var nodes = await client.GetNodesAsync(cancellationToken);
            var shards = nodes.Any(n => GresParser.Parse(n.Gres).Any(SlurmNodeMapper.IsShard))
                ? SlurmNodeMapper.ShardGrants(await client.GetJobsAsync(cancellationToken))
                : [];
            var infos = new List<OnPremNodeInfo>();
            foreach (var node in nodes.Where(n => partition is null || (n.Partitions ?? []).Contains(partition)))
            {
                state.RememberNodeGres(node.Name, GresParser.Parse(node.Gres));
                if (SlurmNodeMapper.ToNodeInfo(node, shards.GetValueOrDefault(node.Name)) is { } info)
                {
                    infos.Add(info);
                }
            }
            state.Health.Succeeded(logger);
            return new ClusterInventory(true, null, infos);
        }
        catch (SlurmApiException ex)
        {
            ReportFailure(ex);
            return ClusterInventory.Unavailable(ex.Message);
        }
    }

    public Task<OnPremJobStatus> SubmitAsync(OnPremJobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.UserName) || request.UserName is "root" || request.UserName == options.CurrentValue.UserName)
        {
            // Jobs never run as root or as the privileged user Broker talks to Slurm as, whatever the caller asks.
            throw new ProviderException(ProviderName, ProviderErrorKind.InvalidRequest, BlockScope.None, "privileged-user",
                $"refusing to run allocation {request.AllocationId} as '{request.UserName}': on-prem jobs run as their team's unprivileged user");
        }
        return Guarded(() => new SlurmSubmitter(client, state, options.CurrentValue, logger).SubmitAsync(request, cancellationToken));
    }

    public Task<OnPremJobStatus?> GetJobAsync(Guid allocationId, CancellationToken cancellationToken) =>
        Guarded(async () =>
        {
            var lookup = new SlurmJobLookup(client, state, logger);
            var job = await lookup.FindAsync(allocationId, cancellationToken);
            return job is null ? null : SlurmJobMapper.ToStatus(job, allocationId);
        });

    public Task CancelAsync(Guid allocationId, CancellationToken cancellationToken) =>
        Guarded(async () =>
        {
            var lookup = new SlurmJobLookup(client, state, logger);
            foreach (var job in await lookup.FindAllAsync(allocationId, cancellationToken))
            {
                if (!SlurmJobStates.IsTerminal(SlurmJobStates.Map(job.JobState)))
                {
                    await client.CancelJobAsync(job.JobId, cancellationToken);
                }
            }
            return true;
        });

    public Task<IReadOnlyList<OnPremClusterJob>> ListBrokerJobsAsync(CancellationToken cancellationToken) =>
        Guarded<IReadOnlyList<OnPremClusterJob>>(async () => [.. (await client.GetJobsAsync(cancellationToken))
            .Where(j => SlurmJobNames.IsBrokers(j.Name))
            .Select(j => new OnPremClusterJob(j.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), j.Name!,
                SlurmJobStates.Map(j.JobState), SlurmJobNames.AllocationOf(j.Name)))]);

    private async Task<T> Guarded<T>(Func<Task<T>> call)
    {
        try
        {
            var result = await call();
            state.Health.Succeeded(logger);
            return result;
        }
        catch (SlurmApiException ex) when (ex.Kind == SlurmFailureKind.Rejected || ex.Kind == SlurmFailureKind.NotFound)
        {
            state.Health.Succeeded(logger);
            throw new ProviderException(ProviderName, ProviderErrorKind.InvalidRequest, BlockScope.None,
                ex.SlurmErrorNumber is { } n ? $"slurm-{n}" : "slurm-rejected", ex.Message, inner: ex);
        }
        catch (SlurmApiException ex)
        {
            ReportFailure(ex);
            throw new ClusterUnavailableException(ex.Message, ex);
        }
    }

    private void ReportFailure(SlurmApiException ex) =>
        state.Health.Failed(logger, ex.Message, isConfigurationError: ex.Kind == SlurmFailureKind.AuthRejected);
}
