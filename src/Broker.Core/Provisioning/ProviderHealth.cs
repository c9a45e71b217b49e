using Broker.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Broker.Core.Provisioning;

/// <summary>
/// Each provider's last call outcome (credential errors stay visible until a call succeeds again) and its circuit breaker:
/// after <see cref="CircuitOptions.FailuresToOpen"/> transient failures in a row (5xx, timeouts) calls are refused without
/// being sent for <see cref="CircuitOptions.OpenFor"/>; then one caller, on one replica, gets a single half-open probe; an
/// answer closes the circuit, another transient failure opens it again. With a <see cref="SharedStateScope"/> the state is
/// the <c>provider_health</c> row every replica shares (changed under its row lock; read again by <see cref="RefreshAsync"/>
/// at the start of each pass, so another replica's view is at most a pass old); without one it is this process's memory.
/// </summary>
public sealed class ProviderHealth(TimeProvider clock, SharedStateScope? shared = null, CircuitOptions? circuit = null)
{
    private readonly CircuitOptions options = circuit ?? CircuitOptions.Default;
    private readonly Dictionary<string, ProviderCircuit> cache = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Whether a call to the provider may be sent now, and until when it may not.</summary>
    public sealed record Admission(bool Allowed, DateTimeOffset? RefusedUntil);

    public async Task RefreshAsync(CancellationToken ct)
    {
        if (shared is null)
        {
            return;
        }
        try
        {
            var rows = await shared.RunAsync(db => db.ProviderCircuits.AsNoTracking().ToListAsync(ct));
            lock (gate)
            {
                rows.ForEach(r => cache[r.Provider] = r);
            }
        }
        catch (Exception e) when (SharedStateScope.IsDatabaseFault(e))
        {
            // The last view stands until the database answers again.
        }
    }

    public async Task<Admission> AdmitAsync(string provider, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var known = Cached(provider);
        if (known is null)
        {
            return new(true, null);
        }
        if (CircuitRules.Admits(known, now) is { } decided)
        {
            return decided;
        }
        // The circuit's time is up (or a probe lapsed): exactly one caller anywhere gets the probe.
        var probe = false;
        var after = await ChangeAsync(provider, c => probe = CircuitRules.TryClaimProbe(c, now, options), ct);
        return probe ? new(true, null) : CircuitRules.Admits(after, now) ?? new(false, after.ProbeUntil ?? after.OpenUntil);
    }

    public Task RecordSuccessAsync(string provider, CancellationToken ct)
    {
        // The common case writes nothing: the provider is known healthy and closed.
        var known = Cached(provider);
        if (known is { Healthy: true, State: CircuitState.Closed, ConsecutiveFailures: 0 } && clock.GetUtcNow() - known.At < TimeSpan.FromMinutes(1))
        {
            return Task.CompletedTask;
        }
        return ChangeAsync(provider, c => CircuitRules.Record(c, CallOutcome.Answered, null, null, clock.GetUtcNow(), options), ct);
    }

    public Task RecordFailureAsync(ProviderException error, CancellationToken ct)
    {
        var outcome = error.Kind switch
        {
            ProviderErrorKind.Transient => CallOutcome.Transient,
            ProviderErrorKind.Throttled => CallOutcome.Throttled,
            ProviderErrorKind.Auth => CallOutcome.Auth,
            _ => CallOutcome.Answered,
        };
        var message = error.Message.Length > 1000 ? error.Message[..1000] : error.Message;
        return ChangeAsync(error.Provider, c => CircuitRules.Record(c, outcome, error.ProviderCode, message, clock.GetUtcNow(), options), ct);
    }

    public IReadOnlyList<ProviderStatus> Snapshot()
    {
        lock (gate)
        {
            return cache.Values.OrderBy(c => c.Provider, StringComparer.Ordinal)
                .Select(c => new ProviderStatus(c.Provider, c.Healthy, c.LastErrorCode, c.LastErrorMessage, c.At, c.State,
                    c.ConsecutiveFailures, c.State == CircuitState.HalfOpen ? c.ProbeUntil : c.OpenUntil)).ToList();
        }
    }

    private ProviderCircuit? Cached(string provider)
    {
        lock (gate)
        {
            return cache.TryGetValue(provider, out var c) ? c : null;
        }
    }

    /// <summary>Applies a change to the provider's row (under its row lock when shared) and caches the result.</summary>
    private async Task<ProviderCircuit> ChangeAsync(string provider, Action<ProviderCircuit> change, CancellationToken ct)
    {
        if (shared is not null)
        {
            try
            {
                var saved = await shared.RunAsync(db => ChangeSharedAsync(db, provider, change, ct));
                lock (gate)
                {
                    cache[provider] = saved;
                }
                return saved;
            }
            catch (Exception e) when (SharedStateScope.IsDatabaseFault(e))
            {
                // Fall through: this process still keeps its own view.
            }
        }
        lock (gate)
        {
            var row = cache.TryGetValue(provider, out var c) ? CircuitRules.Copy(c) : CircuitRules.New(provider, clock.GetUtcNow());
            change(row);
            cache[provider] = row;
            return row;
        }
    }

    private async Task<ProviderCircuit> ChangeSharedAsync(BrokerDbContext db, string provider, Action<ProviderCircuit> change, CancellationToken ct)
    {
        var now = PostgresTime.Now(clock);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO provider_health (provider, healthy, at, consecutive_failures, state)
            VALUES ({provider}, TRUE, {now}, 0, {nameof(CircuitState.Closed)}) ON CONFLICT (provider) DO NOTHING
            """, ct);
        var row = await db.ProviderCircuits.FromSql($"SELECT * FROM provider_health WHERE provider = {provider} FOR UPDATE").FirstAsync(ct);
        change(row);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return CircuitRules.Copy(row);
    }
}

/// <param name="FailuresToOpen">Transient failures in a row that open the circuit.</param>
/// <param name="OpenFor">How long an open circuit refuses calls before one probe is let through.</param>
/// <param name="ProbeFor">How long a probe may take before another caller may probe instead (the prober died).</param>
public sealed record CircuitOptions(int FailuresToOpen, TimeSpan OpenFor, TimeSpan ProbeFor)
{
    public static CircuitOptions Default { get; } = new(5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
}

/// <param name="RefusingUntil">When an open circuit lets its probe through, or when a half-open probe lapses; null when closed.</param>
public sealed record ProviderStatus(string Provider, bool Healthy, string? LastErrorCode, string? LastErrorMessage, DateTimeOffset At,
    CircuitState Circuit = CircuitState.Closed, int ConsecutiveFailures = 0, DateTimeOffset? RefusingUntil = null);
