namespace Broker.Core.Provisioning;

public enum InstanceEventResult
{
    /// <summary>New: recorded and applied (202).</summary>
    Accepted,
    /// <summary>The same seq with the same content was accepted before; nothing changed (200).</summary>
    Duplicate,
    /// <summary>Replayed, out of order, or not allowed in the allocation's state; nothing changed (409).</summary>
    Conflict,
    /// <summary>The token's purpose does not fit the allocation (a cloud token for an on-prem allocation, or the reverse) (401).</summary>
    WrongPurpose,
    /// <summary>No such allocation (404).</summary>
    NotFound,
    /// <summary>Slurm, the truth on-prem, cannot be asked now; nothing changed, try again (503).</summary>
    Unavailable,
}

/// <summary>What handling one event did; <see cref="Code"/> names the rule in a word a script can test, <see cref="Reason"/> explains.</summary>
public sealed record InstanceEventOutcome(InstanceEventResult Result, string Code, string Reason)
{
    public static InstanceEventOutcome Accepted { get; } = new(InstanceEventResult.Accepted, "accepted", "Recorded.");

    public static InstanceEventOutcome Duplicate { get; } = new(InstanceEventResult.Duplicate, "duplicate", "Already recorded; nothing changed.");

    public static InstanceEventOutcome Conflict(string code, string reason) => new(InstanceEventResult.Conflict, code, reason);
}
