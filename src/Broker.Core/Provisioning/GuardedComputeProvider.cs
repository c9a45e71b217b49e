using Broker.Core.Capacity;

namespace Broker.Core.Provisioning;

/// <summary>
/// The one layer that retries: wraps an adapter, retries throttling with exponential backoff (honouring Retry-After),
/// blocks the offer's scope on capacity errors and refuses calls to a blocked offer without sending them, and records
/// credential errors for the provider health endpoint. Auth and invalid-request errors are never retried.
/// </summary>
public sealed class GuardedComputeProvider(IComputeProvider inner, UnavailableOfferCache unavailable, ProviderHealth health,
    TimeProvider clock, GuardOptions options) : IComputeProvider
{
    public string Name => inner.Name;

    public async Task<ProviderInstance> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        var offer = new OfferKey(inner.Name, request.Region, request.Zone, request.InstanceType, request.Market);
        if (unavailable.Find(offer) is { } block)
        {
            throw new ProviderException(inner.Name, ProviderErrorKind.Capacity, BlockScope.None, "OfferBlocked",
                $"{offer} is blocked until {block.Until:O}: {block.Reason}");
        }
        try
        {
            return await RetryThrottled(ct => inner.CreateAsync(request, ct), cancellationToken);
        }
        catch (ProviderException e) when (e.Kind == ProviderErrorKind.Capacity)
        {
            unavailable.Block(offer, e.Scope, e.ProviderCode);
            throw;
        }
    }

    public Task TerminateAsync(string region, string? zone, string instanceId, CancellationToken cancellationToken) =>
        RetryThrottled(async ct =>
        {
            await inner.TerminateAsync(region, zone, instanceId, ct);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<ProviderInstance>> ListManagedAsync(CancellationToken cancellationToken) =>
        RetryThrottled(inner.ListManagedAsync, cancellationToken);

    private async Task<T> RetryThrottled<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await call(cancellationToken);
                health.RecordSuccess(inner.Name);
                return result;
            }
            catch (ProviderException e)
            {
                health.RecordFailure(e);
                if (e.Kind != ProviderErrorKind.Throttled || attempt >= options.MaxAttempts)
                {
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
