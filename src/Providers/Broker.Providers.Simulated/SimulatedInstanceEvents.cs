using Broker.Core.Provisioning;

namespace Broker.Providers.Simulated;

public enum SimulatedEventKind
{
    /// <summary>The instance reached Running and the job began.</summary>
    Started,
    /// <summary>The job exited with <see cref="SimulatedInstanceEvent.ExitCode"/>; the instance keeps running (and billing)
    /// until Broker terminates it.</summary>
    Finished,
    /// <summary>The cloud reclaimed a spot instance before its job finished; the instance is gone.</summary>
    Interrupted,
}

/// <param name="Sequence">Position in the feed of all simulated clouds, from 1, in the order events were recorded.</param>
/// <param name="At">When it happened on the injected clock (not when it was noticed).</param>
/// <param name="Output">What the job printed by then, as the boot script ships it (chunks of whole lines by byte offset,
/// <see cref="SimulatedOutput"/>); shipped before the event is reported, as the boot script flushes before <c>finished</c>.</param>
/// <param name="Member">A cloud gang member's position (<see cref="InstanceRequest.Member"/>), as its boot script names it in
/// an interruption notice; null for a single instance.</param>
public sealed record SimulatedInstanceEvent(long Sequence, string Provider, string InstanceId, Guid AllocationId, Guid JobId,
    SimulatedEventKind Kind, DateTimeOffset At, int? ExitCode, IReadOnlyList<SimulatedLogChunk>? Output = null, int? Member = null);

/// <summary>One chunk of a simulated job's stdout or stderr at its byte offset in that stream.</summary>
public sealed record SimulatedLogChunk(string Stream, long Offset, string Text);

/// <summary>
/// What happened on the simulated instances, shared by the three simulated clouds (one singleton). This is how the
/// lifecycle learns that a job finished or a spot instance was interrupted, standing in for the instance's own callback:
/// poll <see cref="For"/> by allocation id or <see cref="Since"/> a sequence number, or subscribe to <see cref="Raised"/>
/// (called on the thread that advanced the cloud: a timer of the injected <see cref="TimeProvider"/>, or a provider call;
/// handlers must be quick and must not throw). Per instance the order is Started, then Finished or Interrupted
/// (Interrupted can come without Started when capacity vanished during provisioning).
/// </summary>
public sealed class SimulatedInstanceEvents
{
    private readonly Lock gate = new();
    private readonly List<SimulatedInstanceEvent> feed = [];

    public event Action<SimulatedInstanceEvent>? Raised;

    public IReadOnlyList<SimulatedInstanceEvent> For(Guid allocationId)
    {
        lock (gate)
        {
            return feed.Where(e => e.AllocationId == allocationId).ToList();
        }
    }

    public IReadOnlyList<SimulatedInstanceEvent> Since(long afterSequence)
    {
        lock (gate)
        {
            return feed.Where(e => e.Sequence > afterSequence).ToList();
        }
    }

    /// <summary>Appends events (sequence numbers assigned here) and returns them for <see cref="Raise"/>.</summary>
    internal IReadOnlyList<SimulatedInstanceEvent> Record(IEnumerable<SimulatedInstanceEvent> events)
    {
        lock (gate)
        {
            var recorded = new List<SimulatedInstanceEvent>();
            foreach (var e in events)
            {
                var numbered = e with { Sequence = feed.Count + 1 };
                feed.Add(numbered);
                recorded.Add(numbered);
            }
            return recorded;
        }
    }

    internal void Raise(IReadOnlyList<SimulatedInstanceEvent> recorded)
    {
        foreach (var e in recorded)
        {
            Raised?.Invoke(e);
        }
    }
}
