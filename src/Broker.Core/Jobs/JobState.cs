namespace Broker.Core.Jobs;

public enum JobState
{
    /// <summary>Waiting for a placement (new, or requeued after an interruption).</summary>
    Pending,
    /// <summary>The engine chose where it runs; the allocation (intent) is written.</summary>
    Placed,
    /// <summary>The instance or Slurm job is being created.</summary>
    Starting,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
