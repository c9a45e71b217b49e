namespace Broker.Core.Provisioning;

/// <summary>
/// An event accepted for an allocation, recorded in the same transaction as the state change it made. The key
/// (allocation, seq) makes a replay find the first one; <see cref="BodyHash"/> tells an exact duplicate from a conflict.
/// </summary>
public sealed class AllocationEvent
{
    public Guid AllocationId { get; set; }

    public int Seq { get; set; }

    public InstanceEventKind Kind { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>Hex SHA-256 of the canonical body (<see cref="InstanceEvent.CanonicalBody"/>).</summary>
    public string BodyHash { get; set; } = "";

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>
    /// When it happened, as applied: the sender's <c>at</c> (or, on-prem, Slurm's end) clamped into the allocation's window;
    /// <see cref="ReceivedAt"/> when none was given. Null on rows recorded before times were carried.
    /// </summary>
    public DateTimeOffset? OccurredAt { get; set; }
}
