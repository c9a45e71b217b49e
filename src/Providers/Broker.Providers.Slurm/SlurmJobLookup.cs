using Broker.Providers.Slurm.Rest;
using Microsoft.Extensions.Logging;

namespace Broker.Providers.Slurm;

/// <summary>
/// Finds the Slurm job of an allocation by its name. When several exist (two replicas submitted at once) the lowest job id
/// is the one Broker keeps; the others are cancelled here, so every caller converges on the same job.
/// </summary>
internal sealed class SlurmJobLookup(SlurmRestClient client, SlurmClusterState state, ILogger logger)
{
    /// <summary>The allocation's job; a remembered job id is read directly, otherwise the job list is searched.</summary>
    public async Task<SlurmJob?> FindAsync(Guid allocationId, CancellationToken ct)
    {
        if (state.TryGetJobId(allocationId, out var jobId))
        {
            var job = await client.GetJobAsync(jobId, ct);
            if (job is not null && job.Name == SlurmJobNames.For(allocationId))
            {
                return job;
            }
            state.ForgetJobId(allocationId);
        }
        var all = await FindAllAsync(allocationId, ct);
        return all.Count == 0 ? null : all[0];
    }

    /// <summary>Every job named after the allocation, lowest id (the winner) first; duplicates still active get cancelled.</summary>
    public async Task<IReadOnlyList<SlurmJob>> FindAllAsync(Guid allocationId, CancellationToken ct)
    {
        var name = SlurmJobNames.For(allocationId);
        var jobs = (await client.GetJobsAsync(ct)).Where(j => j.Name == name).OrderBy(j => j.JobId).ToList();
        if (jobs.Count == 0)
        {
            state.ForgetJobId(allocationId);
            return jobs;
        }
        state.RememberJobId(allocationId, jobs[0].JobId);
        foreach (var duplicate in jobs.Skip(1).Where(j => !SlurmJobStates.IsTerminal(SlurmJobStates.Map(j.JobState))))
        {
            logger.LogWarning("Cancelling duplicate Slurm job {JobId} of allocation {AllocationId}; keeping job {KeptJobId}",
                duplicate.JobId, allocationId, jobs[0].JobId);
            await client.CancelJobAsync(duplicate.JobId, ct);
        }
        return jobs;
    }
}
