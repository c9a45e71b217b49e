using Broker.Core.Capacity;
using Broker.Core.Provisioning;

namespace Broker.Providers.Simulated;

/// <summary>One instance inside a simulated cloud, with its future already drawn: when it runs, finishes or is interrupted.
/// Mutable; only touched under the cloud's lock.</summary>
internal sealed class SimulatedInstance
{
    public required string InstanceId { get; init; }
    public required string Region { get; init; }
    public string? Zone { get; init; }
    public required string InstanceType { get; init; }
    public required CapacityType Market { get; init; }
    public InstanceRequest? Request { get; init; }
    public required DateTimeOffset LaunchedAt { get; init; }
    public required DateTimeOffset RunningAt { get; init; }
    public DateTimeOffset? FinishesAt { get; init; }
    public DateTimeOffset? InterruptedAt { get; set; }
    public int ExitCode { get; init; }

    public InstanceState State { get; set; } = InstanceState.Pending;
    public bool Finished { get; set; }

    public bool IsManaged => Request is not null;
    public bool IsLive => State is not InstanceState.Terminated;

    /// <summary>The next moment something happens to this instance after <paramref name="now"/>, if any.</summary>
    public DateTimeOffset? NextDue(DateTimeOffset now)
    {
        if (!IsLive)
        {
            return null;
        }
        DateTimeOffset?[] moments = [State == InstanceState.Pending ? RunningAt : null, Finished ? null : FinishesAt, InterruptedAt];
        return moments.Where(m => m is { } t && t > now).Min();
    }

    public ProviderInstance Snapshot(string provider) => new(provider, InstanceId, Region, Zone, InstanceType, Market, State,
        Request?.AllocationId, Request?.JobId, LaunchedAt);
}
