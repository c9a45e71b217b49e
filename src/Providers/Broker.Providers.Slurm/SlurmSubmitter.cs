using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;
using Microsoft.Extensions.Logging;

namespace Broker.Providers.Slurm;

/// <summary>One idempotent submit: look for the allocation's job, submit only when there is none, then converge on the winner.</summary>
internal sealed class SlurmSubmitter(SlurmRestClient client, SlurmClusterState state, SlurmOptions options, ILogger logger)
{
    public async Task<OnPremJobStatus> SubmitAsync(OnPremJobRequest request, CancellationToken ct)
    {
        var lookup = new SlurmJobLookup(client, state, logger);
        var gate = state.SubmitLockFor(request.AllocationId);
        await gate.WaitAsync(ct);
        try
        {
            var existing = await lookup.FindAsync(request.AllocationId, ct);
            if (existing is not null)
            {
                return SlurmJobMapper.ToStatus(existing, request.AllocationId);
            }
            var (gresType, shards) = await ResolveGresAsync(request, ct);
            var submitted = await client.SubmitJobAsync(SlurmSubmissionBuilder.Build(request, gresType, options, shards), request.UserName, ct);
            logger.LogInformation("Submitted Slurm job {JobId} for allocation {AllocationId} on {Node} ({Gpus} x {GpuType}) as user {User}",
                submitted, request.AllocationId, request.Node, request.Gpus, gresType, request.UserName);
            // Another replica may have submitted at the same moment: re-read so both sides keep the lowest job id.
            var winner = (await lookup.FindAllAsync(request.AllocationId, ct)).FirstOrDefault()
                ?? await client.GetJobAsync(submitted, ct);
            if (winner is not null && winner.UserName != request.UserName)
            {
                await RefuseAsync(winner, request, ct);
            }
            return winner is not null
                ? SlurmJobMapper.ToStatus(winner, request.AllocationId)
                : new OnPremJobStatus(submitted.ToString(System.Globalization.CultureInfo.InvariantCulture), request.AllocationId,
                    OnPremJobState.Pending, null, null, null, null);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// slurmctld accepts a job for a user name it cannot resolve (it records uid 99 and no name) and then requeues it forever
    /// because it cannot build its credential: such a job is cancelled and the submit fails as a bad request.
    /// </summary>
    private async Task RefuseAsync(SlurmJob job, OnPremJobRequest request, CancellationToken ct)
    {
        await client.CancelJobAsync(job.JobId, ct);
        throw new SlurmApiException(SlurmFailureKind.Rejected, null,
            $"Slurm job {job.JobId} would run as '{job.UserName ?? $"uid {job.UserId}"}', not as '{request.UserName}': "
            + "the team's user does not exist on the cluster");
    }

    /// <summary>The node's GPU type for a whole-GPU job, or the shards for a shared one; a MIG job names its profile itself.</summary>
    private async Task<(string GresType, int Shards)> ResolveGresAsync(OnPremJobRequest request, CancellationToken ct)
    {
        if (request.MigProfile is not null)
        {
            return ("", 0);
        }
        if (request.Share is not { } share)
        {
            return (await ResolveGresTypeAsync(request, ct), 0);
        }
        var gres = state.NodeGres(request.Node);
        var shards = gres is null ? 0 : SlurmSubmissionBuilder.ShardsFor(gres, share);
        if (shards == 0)
        {
            var node = await client.GetNodeAsync(request.Node, ct)
                ?? throw new SlurmApiException(SlurmFailureKind.Rejected, null, $"Slurm has no node named '{request.Node}'");
            gres = GresParser.Parse(node.Gres);
            state.RememberNodeGres(node.Name, gres);
            shards = SlurmSubmissionBuilder.ShardsFor(gres, share);
        }
        return shards > 0 ? ("", shards) : throw new SlurmApiException(SlurmFailureKind.Rejected, null,
            $"Slurm node '{request.Node}' has no GPU shards (gres/shard) for a shared job");
    }

    private async Task<string> ResolveGresTypeAsync(OnPremJobRequest request, CancellationToken ct)
    {
        var gres = state.NodeGres(request.Node);
        var type = gres is null ? null : SlurmSubmissionBuilder.ResolveGresType(gres, request.GpuType);
        if (type is null)
        {
            // Not in the last inventory (or changed since): ask slurmctld about this node.
            var node = await client.GetNodeAsync(request.Node, ct)
                ?? throw new SlurmApiException(SlurmFailureKind.Rejected, null, $"Slurm has no node named '{request.Node}'");
            gres = GresParser.Parse(node.Gres);
            state.RememberNodeGres(node.Name, gres);
            type = SlurmSubmissionBuilder.ResolveGresType(gres, request.GpuType);
        }
        return type ?? throw new SlurmApiException(SlurmFailureKind.Rejected, null,
            $"Slurm node '{request.Node}' has no GPUs of model '{request.GpuType}'");
    }
}
