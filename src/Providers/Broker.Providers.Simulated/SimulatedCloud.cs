using Broker.Core.Capacity;
using Broker.Core.Capacity.Catalog;
using Broker.Core.Provisioning;
using Broker.Core.Simulation.Scenarios;
using Broker.Core.Simulation;

namespace Broker.Providers.Simulated;

/// <summary>
/// An in-memory cloud (aws, azure or gcp) selling the catalog's offers of that provider, honouring the
/// <see cref="IComputeProvider"/> contract: create is idempotent by allocation id (a different request for the same id is
/// refused), every instance it creates carries <see cref="ManagedTags"/>, terminating an unknown instance (or one in
/// another region) succeeds, <see cref="ListManagedAsync"/> returns live managed instances only. A gang's placement group
/// is made by its members' creates and lives until deleted; deleting it is refused while any instance in it is not terminated.
/// <para>An instance is Pending for <see cref="SimulatedCloudOptions.ProvisioningDelay"/>, then Running; its job runs for the
/// <see cref="ISimulatedWorkload"/>'s duration; spot instances may be interrupted first (<see cref="SpotInterruptionDraw"/>).
/// Each offer (region, instance type, market) holds at most <see cref="SimulatedCloudOptions.CapacityPerOffer"/> live
/// instances. State advances on the injected <see cref="TimeProvider"/>'s timer and on every call; what happens is
/// published to <see cref="SimulatedInstanceEvents"/>.</para>
/// </summary>
public sealed class SimulatedCloud : IComputeProvider, IDisposable
{
    public static readonly IReadOnlyList<string> ProviderNames = ["aws", "azure", "gcp"];

    private readonly Lock gate = new();
    private readonly List<SimulatedInstance> instances = [];
    private readonly Dictionary<(string Region, string Name), DateTimeOffset> placementGroups = [];
    private readonly Dictionary<(string Region, string InstanceType), CatalogOffer> offers;
    private readonly SimulatedCloudOptions options;
    private readonly TimeProvider clock;
    private readonly SimulatedInstanceEvents events;
    private readonly ISimulatedWorkload workload;
    private readonly SpotInterruptionDraw interruptions;
    private readonly ITimer timer;
    private int externalCount;

    public SimulatedCloud(string name, IEnumerable<CatalogOffer> catalog, SimulatedCloudOptions options, TimeProvider clock,
        SimulatedInstanceEvents events, ISimulatedWorkload workload, Random random, SpotAvailabilityTrace? trace = null)
    {
        if (!ProviderNames.Contains(name))
        {
            throw new ArgumentException($"unknown provider '{name}'", nameof(name));
        }
        options.Validate();
        Name = name;
        this.options = options;
        this.clock = clock;
        this.events = events;
        this.workload = workload;
        offers = catalog.Where(o => o.Provider == name).ToDictionary(o => (o.Region, o.InstanceType));
        interruptions = new SpotInterruptionDraw(options, random, trace, clock.GetUtcNow());
        timer = clock.CreateTimer(_ => Advance(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Name { get; }

    public Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Mutate(now =>
        {
            if (instances.FirstOrDefault(i => i.Request?.IdempotencyToken == request.IdempotencyToken) is { } existing)
            {
                return SameRequest(existing.Request!, request)
                    ? existing.Snapshot(Name)
                    : throw SimulatedCloudErrors.IdempotencyMismatch(Name, request);
            }
            if (request.PlacementGroup is { Length: > 0 } group)
            {
                // As the real adapters do, the group is made before the launch, so it stays even when the launch is refused.
                placementGroups.TryAdd((request.Region, group), now);
            }
            var offer = CheckCanLaunch(request, now);
            var runningAt = now + options.ToClock(options.ProvisioningDelay);
            var run = workload.Plan(request);
            var finishesAt = runningAt + options.ToClock(run.Duration);
            var instance = new SimulatedInstance
            {
                InstanceId = InstanceIdFor(request.IdempotencyToken), Region = request.Region, Zone = request.Zone,
                InstanceType = request.InstanceType, Market = request.Market, Request = request, LaunchedAt = now,
                RunningAt = runningAt, FinishesAt = finishesAt, ExitCode = run.ExitCode,
                InterruptedAt = request.Market == CapacityType.Spot ? interruptions.InterruptionAt(offer, now, finishesAt) : null,
            };
            instances.Add(instance);
            return instance.Snapshot(Name);
        }));
    }

    public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Mutate(_ =>
        {
            if (instances.FirstOrDefault(i => i.InstanceId == instanceId && i.Region == region) is { } instance)
            {
                instance.State = InstanceState.Terminated;
            }
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Mutate<IReadOnlyList<ProviderInstance>>(_ =>
            instances.Where(i => i.IsManaged && i.IsLive).Select(i => i.Snapshot(Name)).ToList()));
    }

    /// <summary>Broker's placement groups (the gangs'), as the clouds list them: every region, with when each was made.</summary>
    public Task<IReadOnlyList<ProviderPlacementGroup>> ListPlacementGroupsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Mutate<IReadOnlyList<ProviderPlacementGroup>>(_ => placementGroups
            .Where(g => CloudGang.IsBrokersPlacementGroup(g.Key.Name))
            .Select(g => new ProviderPlacementGroup(Name, g.Key.Region, g.Key.Name, g.Value)).ToList()));
    }

    /// <summary>Not found is success (false); a group with any instance not yet terminated is refused as in use, under the cloud's code.</summary>
    public Task<bool> DeletePlacementGroupAsync(string region, string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!CloudGang.IsBrokersPlacementGroup(name))
        {
            throw CloudGang.NotBrokersPlacementGroup(Name, name);
        }
        return Task.FromResult(Mutate(_ =>
        {
            if (!placementGroups.ContainsKey((region, name)))
            {
                return false;
            }
            if (instances.FirstOrDefault(i => i.IsLive && i.Region == region && i.Request?.PlacementGroup == name) is { } member)
            {
                throw SimulatedCloudErrors.PlacementGroupInUse(Name, name, member.InstanceId);
            }
            return placementGroups.Remove((region, name));
        }));
    }

    /// <summary>The placement groups that exist now, by name (the test's view; <see cref="ListPlacementGroupsAsync"/> is Broker's).</summary>
    public IReadOnlyList<string> PlacementGroups => Mutate<IReadOnlyList<string>>(_ => placementGroups.Keys.Select(k => k.Name).ToList());

    /// <summary>Every instance ever launched for an allocation (terminated ones too), in launch order.</summary>
    public IReadOnlyList<ProviderInstance> InstancesOf(Guid allocationId) =>
        Mutate<IReadOnlyList<ProviderInstance>>(_ => instances.Where(i => i.Request?.AllocationId == allocationId).Select(i => i.Snapshot(Name)).ToList());

    /// <summary>The placement group a managed instance was launched into (a cloud gang's), or null.</summary>
    public string? PlacementGroupOf(string instanceId) =>
        Mutate(_ => instances.FirstOrDefault(i => i.InstanceId == instanceId)?.Request?.PlacementGroup);

    /// <summary>Reclaims a live spot instance now, as the cloud would (a spot interruption); false when there is none by that id.</summary>
    public bool InterruptNow(string instanceId)
    {
        var marked = Mutate(now =>
        {
            if (instances.FirstOrDefault(i => i.InstanceId == instanceId && i.IsLive && i.Market == CapacityType.Spot) is not { } instance)
            {
                return false;
            }
            instance.InterruptedAt = now;
            return true;
        });
        // The interruption is applied (and reported) by the next advance, as every other transition is.
        Advance();
        return marked;
    }

    /// <summary>Starts an instance without Broker's tags, as someone else in the same account would. It uses capacity.</summary>
    public ProviderInstance LaunchExternal(string region, string instanceType, CapacityType market = CapacityType.OnDemand) =>
        Mutate(now =>
        {
            var instance = new SimulatedInstance
            {
                InstanceId = $"external-{Name}-{++externalCount}", Region = region, InstanceType = instanceType, Market = market,
                LaunchedAt = now, RunningAt = now + options.ToClock(options.ProvisioningDelay),
            };
            instances.Add(instance);
            return instance.Snapshot(Name);
        });

    /// <summary>Applies everything due by now; the timer calls this, and so does every other call.</summary>
    public void Advance() => Mutate(_ => true);

    public void Dispose() => timer.Dispose();

    private CatalogOffer CheckCanLaunch(InstanceRequest request, DateTimeOffset now)
    {
        if (!offers.TryGetValue((request.Region, request.InstanceType), out var offer))
        {
            throw SimulatedCloudErrors.UnknownOffer(Name, request, "not sold here");
        }
        if (request.Market == CapacityType.Spot)
        {
            if (offer.SpotPerHour is not { } spotPrice)
            {
                throw SimulatedCloudErrors.UnknownOffer(Name, request, "no spot market for this offer");
            }
            if (Name != "gcp" && request.MaxPricePerHour is { } max && max < spotPrice)
            {
                throw SimulatedCloudErrors.MaxPriceTooLow(Name, request, spotPrice);
            }
            if (!interruptions.HasCapacity(now))
            {
                throw SimulatedCloudErrors.NoCapacity(Name, request, "the availability trace shows none");
            }
        }
        else if (request.Market != CapacityType.OnDemand)
        {
            throw SimulatedCloudErrors.UnknownOffer(Name, request, "a cloud sells spot or on-demand only");
        }
        var live = instances.Count(i => i.IsLive && i.Region == request.Region && i.InstanceType == request.InstanceType
            && i.Market == request.Market);
        return live < options.CapacityPerOffer
            ? offer
            : throw SimulatedCloudErrors.NoCapacity(Name, request, $"all {options.CapacityPerOffer} are in use");
    }

    private T Mutate<T>(Func<DateTimeOffset, T> change)
    {
        IReadOnlyList<SimulatedInstanceEvent> happened = [];
        try
        {
            lock (gate)
            {
                var now = clock.GetUtcNow();
                happened = events.Record(SimulatedTransitions.Apply(Name, instances, now));
                try
                {
                    return change(now);
                }
                finally
                {
                    Reschedule(now);
                }
            }
        }
        finally
        {
            events.Raise(happened);
        }
    }

    private void Reschedule(DateTimeOffset now)
    {
        var next = instances.Select(i => i.NextDue(now)).Where(d => d is not null).Min();
        timer.Change(next is { } due ? due - now : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// An EC2-style id from the allocation id's last 17 hex digits: allocation ids are UUIDv7, whose leading digits are the
    /// placement pass's millisecond, so the first 17 left 14 random bits and a pass of 2,000 placements shared ids
    /// (bench/lifecycle-throughput: 737 of 10,000, whose terminations then hit each other's instances).
    /// </summary>
    private string InstanceIdFor(Guid allocationId) =>
        Name == "aws" ? "i-" + allocationId.ToString("N")[^17..] : "broker-" + allocationId.ToString("N");

    private static bool SameRequest(InstanceRequest a, InstanceRequest b) =>
        a.PlacementGroup == b.PlacementGroup && a.Region == b.Region && a.Zone == b.Zone && a.InstanceType == b.InstanceType && a.Market == b.Market && a.JobId == b.JobId;
}
