using Broker.Core.Provisioning;
using Broker.Providers.Slurm.Rest;

namespace Broker.Providers.Slurm;

internal static class SlurmJobMapper
{
    /// <remarks>
    /// For pending and running jobs slurmctld fills start/end times with estimates; only real times are reported: the start
    /// once the job has run on a node, the end and exit code once it is finished.
    /// </remarks>
    public static OnPremJobStatus ToStatus(SlurmJob job, Guid allocationId)
    {
        var state = SlurmJobStates.Map(job.JobState);
        var terminal = SlurmJobStates.IsTerminal(state);
        var node = string.IsNullOrWhiteSpace(job.Nodes) ? null : job.Nodes;
        var started = state != OnPremJobState.Pending && node is not null && job.StartTime is > 0
            ? DateTimeOffset.FromUnixTimeSeconds(job.StartTime.Value)
            : (DateTimeOffset?)null;
        var ended = terminal && job.EndTime is > 0 ? DateTimeOffset.FromUnixTimeSeconds(job.EndTime.Value) : (DateTimeOffset?)null;
        var exitCode = terminal && job.ExitCode is { } raw ? SlurmJobStates.DecodeExitCode(raw) : (int?)null;
        return new OnPremJobStatus(job.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), allocationId, state, node,
            started, ended, exitCode);
    }
}
