namespace Broker.Core.Jobs;

public enum JobEventKind
{
    Submitted,
    Placed,
    Starting,
    Started,
    Preempted,
    Requeued,
    Finished,
    Failed,
    Cancelled,
    /// <summary>The broker ended the job's cloud segment to restart it on-prem from its last checkpoint.</summary>
    Migrated,
}
