namespace Broker.Core.Jobs;

/// <summary>One step in a job's timeline.</summary>
public sealed class JobEvent
{
    public long Id { get; set; }

    public Guid JobId { get; set; }

    public DateTimeOffset At { get; set; }

    public JobEventKind Kind { get; set; }

    public string Message { get; set; } = "";
}
