using Broker.Core.Provisioning;

namespace Broker.Providers.Simulated;

/// <summary>Moves instances along their drawn futures up to a moment and reports what happened, oldest first.</summary>
internal static class SimulatedTransitions
{
    public static IReadOnlyList<SimulatedInstanceEvent> Apply(string provider, IReadOnlyList<SimulatedInstance> instances,
        DateTimeOffset now)
    {
        var happened = new List<(DateTimeOffset At, int Order, SimulatedInstanceEvent Event)>();
        for (var order = 0; order < instances.Count; order++)
        {
            var instance = instances[order];
            if (!instance.IsLive)
            {
                continue;
            }
            var interrupted = instance.InterruptedAt is { } i && i <= now;
            if (instance.State == InstanceState.Pending && instance.RunningAt <= now
                && !(interrupted && instance.InterruptedAt < instance.RunningAt))
            {
                instance.State = InstanceState.Running;
                happened.Add((instance.RunningAt, order, Event(provider, instance, SimulatedEventKind.Started, instance.RunningAt)
                    with { Output = SimulatedOutput.Started(provider, instance) }));
            }
            if (!instance.Finished && instance.FinishesAt is { } f && f <= now && !interrupted)
            {
                instance.Finished = true;
                happened.Add((f, order, Event(provider, instance, SimulatedEventKind.Finished, f)
                    with { ExitCode = instance.ExitCode, Output = SimulatedOutput.Finished(provider, instance) }));
            }
            if (interrupted)
            {
                instance.State = InstanceState.Terminated;
                var at = instance.InterruptedAt!.Value;
                happened.Add((at, order, Event(provider, instance, SimulatedEventKind.Interrupted, at)
                    with { Output = SimulatedOutput.Interrupted(provider) }));
            }
        }
        return happened.Where(h => h.Event.AllocationId != Guid.Empty)
            .OrderBy(h => h.At).ThenBy(h => h.Order).ThenBy(h => h.Event.Kind)
            .Select(h => h.Event).ToList();
    }

    private static SimulatedInstanceEvent Event(string provider, SimulatedInstance instance, SimulatedEventKind kind,
        DateTimeOffset at) =>
        new(0, provider, instance.InstanceId, instance.Request?.AllocationId ?? Guid.Empty, instance.Request?.JobId ?? Guid.Empty,
            kind, at, null, Member: instance.Request is { Members: > 1 } gang ? gang.Member : null);
}
