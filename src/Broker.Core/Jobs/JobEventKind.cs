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
}
