using System.Diagnostics;
using Broker.Core.Capacity;
using Broker.Core.Telemetry;

namespace Broker.Core.Provisioning;

/// <summary>
/// The one layer that retries: wraps an adapter, retries throttling with exponential backoff (honouring Retry-After),
/// blocks the offer's scope on capacity errors and refuses calls to a blocked offer without sending them, records
/// credential errors for the provider health endpoint, and refuses calls while the provider's circuit is open (repeated
/// 5xx or timeouts; <see cref="ProviderHealth"/>). Blocks and circuit are shared by every replica through PostgreSQL. Auth and invalid-request errors are never retried. Each call is a
/// span (<c>provider.create</c>, <c>provider.terminate</c>, <c>provider.list</c>, <c>provider.list_placement_groups</c>,
/// <c>provider.delete_placement_group</c>) and each attempt is timed into
/// <see cref="BrokerMetrics"/> (when given), so throttled retries show as errors with their code.
/// </summary>
public sealed class GuardedComputeProvider(IComputeProvider inner, UnavailableOfferCache unavailable, ProviderHealth health,
    TimeProvider clock, GuardOptions options, BrokerMetrics? metrics = null) : IComputeProvider
{
    public string Name => inner.Name;

    public bool Launches(string region, string? zone) => inner.Launches(region, zone);

    public async Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        // Blocks and the circuit as every replica sees them now, not as this process last heard.
        await unavailable.RefreshAsync(cancellationToken);
        await health.RefreshAsync(cancellationToken);
        return await CreateWithCurrentViewAsync(request, cancellationToken);
    }

    /// <summary>
    /// <see cref="CreateAsync"/> for a caller that has just refreshed the shared blocks and circuits itself (a provisioning
    /// chunk does once for all its launches): the same guard, without reading them again.
    /// </summary>
    public async Task<ProviderInstance> CreateWithCurrentViewAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        var offer = new OfferKey(inner.Name, request.Region, request.Zone, request.InstanceType, request.Market);
        using var activity = Start("create");
        activity?.SetTag("broker.region", request.Region);
        activity?.SetTag("broker.instance_type", request.InstanceType);
        activity?.SetTag("broker.market", BrokerMetrics.MarketLabel(request.Market));
        if (unavailable.Find(offer) is { } block)
        {
            throw new ProviderException(inner.Name, ProviderErrorKind.Capacity, BlockScope.None, "OfferBlocked",
                $"{offer} is blocked until {block.Until:O}: {block.Reason}");
        }
        try
        {
            return await RetryThrottled("create", ct => inner.CreateAsync(request, ct), cancellationToken);
        }
        catch (ProviderException e) when (e.Kind == ProviderErrorKind.Capacity)
        {
            await unavailable.BlockAsync(offer, e.Scope, e.ProviderCode, CancellationToken.None);
            throw;
        }
    }

    public async Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken)
    {
        using var activity = Start("terminate");
        activity?.SetTag("broker.region", region);
        await RetryThrottled("terminate", async ct =>
        {
            await inner.TerminateAsync(region, zone, instanceId, ct);
            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken)
    {
        using var activity = Start("list");
        return await RetryThrottled("list", inner.ListManagedAsync, cancellationToken);
    }

    public async Task<IReadOnlyList<ProviderPlacementGroup>> ListPlacementGroupsAsync(CancellationToken cancellationToken)
    {
        using var activity = Start("list_placement_groups");
        return await RetryThrottled("list_placement_groups", inner.ListPlacementGroupsAsync, cancellationToken);
    }

    public async Task<bool> DeletePlacementGroupAsync(string region, string name, CancellationToken cancellationToken)
    {
        using var activity = Start("delete_placement_group");
        activity?.SetTag("broker.region", region);
        return await RetryThrottled("delete_placement_group", ct => inner.DeletePlacementGroupAsync(region, name, ct), cancellationToken);
    }

    private Activity? Start(string operation)
    {
        var activity = BrokerTelemetry.Source.StartActivity("provider." + operation, ActivityKind.Client);
        activity?.SetTag("broker.provider", inner.Name);
        return activity;
    }

    private async Task<T> RetryThrottled<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await health.AdmitAsync(inner.Name, cancellationToken) is { Allowed: false } refused)
            {
                // Sent nowhere: the provider failed too often in a row; a Transient error, so callers retry later.
                throw new ProviderException(inner.Name, ProviderErrorKind.Transient, BlockScope.None, "CircuitOpen",
                    $"{inner.Name} failed repeatedly; calls are held until {refused.RefusedUntil:O}");
            }
            var started = clock.GetTimestamp();
            try
            {
                var result = await call(cancellationToken);
                metrics?.ProviderCall(inner.Name, operation, clock.GetElapsedTime(started), null);
                await health.RecordSuccessAsync(inner.Name, CancellationToken.None);
                return result;
            }
            catch (ProviderException e)
            {
                metrics?.ProviderCall(inner.Name, operation, clock.GetElapsedTime(started), e);
                Activity.Current?.AddEvent(new ActivityEvent("provider.error", tags: new ActivityTagsCollection
                {
                    ["broker.error_kind"] = e.Kind.ToString(), ["broker.provider_code"] = e.ProviderCode, ["broker.attempt"] = attempt,
                }));
                await health.RecordFailureAsync(e, CancellationToken.None);
                if (e.Kind != ProviderErrorKind.Throttled || attempt >= options.MaxAttempts)
                {
                    Activity.Current?.SetStatus(ActivityStatusCode.Error, e.ProviderCode);
                    throw;
                }
                await Task.Delay(Backoff(attempt, e.RetryAfter), clock, cancellationToken);
            }
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = options.BaseDelay * Math.Pow(2, attempt - 1);
        var delay = retryAfter is { } ra && ra > exponential ? ra : exponential;
        return delay > options.MaxDelay ? options.MaxDelay : delay;
    }
}

public sealed record GuardOptions(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static GuardOptions Default { get; } = new(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
}
