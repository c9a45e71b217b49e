using Broker.Core.Provisioning;

namespace Broker.Providers.Slurm;

/// <summary>Maps Slurm's <c>job_state</c> strings onto <see cref="OnPremJobState"/>.</summary>
public static class SlurmJobStates
{
    /// <remarks>
    /// States that still hold or wait for resources stay non-terminal: CONFIGURING (nodes being readied) and the requeue
    /// states are Pending; COMPLETING (the script ended, the epilog runs), SUSPENDED, STOPPED, RESIZING and SIGNALING are
    /// Running because the GPUs stay allocated. Unknown future states count as Pending so callers keep polling.
    /// </remarks>
    public static OnPremJobState Map(string? jobState) => (jobState ?? "").Trim().ToUpperInvariant() switch
    {
        "PENDING" or "CONFIGURING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD" => OnPremJobState.Pending,
        "RUNNING" or "COMPLETING" or "SUSPENDED" or "STOPPED" or "RESIZING" or "SIGNALING" or "STAGE_OUT" => OnPremJobState.Running,
        "COMPLETED" => OnPremJobState.Completed,
        "FAILED" or "BOOT_FAIL" or "DEADLINE" or "OUT_OF_MEMORY" or "SPECIAL_EXIT" => OnPremJobState.Failed,
        "CANCELLED" or "REVOKED" => OnPremJobState.Cancelled,
        "TIMEOUT" => OnPremJobState.TimedOut,
        "NODE_FAIL" => OnPremJobState.NodeFailed,
        "PREEMPTED" => OnPremJobState.Preempted,
        _ => OnPremJobState.Pending,
    };

    public static bool IsTerminal(OnPremJobState state) => state is not (OnPremJobState.Pending or OnPremJobState.Running);

    /// <summary>Slurm reports the raw wait status: exit code in the high byte, a terminating signal in the low bits (shell style 128+n).</summary>
    public static int DecodeExitCode(int waitStatus)
    {
        var signal = waitStatus & 0x7f;
        return signal != 0 ? 128 + signal : (waitStatus >> 8) & 0xff;
    }
}
