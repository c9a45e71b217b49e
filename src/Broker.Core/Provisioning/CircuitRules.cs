namespace Broker.Core.Provisioning;

/// <summary>What a call's outcome says about the provider: it answered, refused our credentials, failed transiently, or throttled us.</summary>
public enum CallOutcome
{
    Answered,
    Auth,
    Transient,
    Throttled,
}

/// <summary>The circuit breaker's rules as pure changes to a <see cref="ProviderCircuit"/> row.</summary>
public static class CircuitRules
{
    public static ProviderCircuit New(string provider, DateTimeOffset now) =>
        new() { Provider = provider, Healthy = true, At = now, State = CircuitState.Closed };

    public static ProviderCircuit Copy(ProviderCircuit c) => new()
    {
        Provider = c.Provider, Healthy = c.Healthy, LastErrorCode = c.LastErrorCode, LastErrorMessage = c.LastErrorMessage, At = c.At,
        ConsecutiveFailures = c.ConsecutiveFailures, State = c.State, OpenUntil = c.OpenUntil, ProbeUntil = c.ProbeUntil,
    };

    /// <summary>The decision the row alone allows, or null when the circuit's time is up and a probe must be claimed.</summary>
    public static ProviderHealth.Admission? Admits(ProviderCircuit c, DateTimeOffset now) => c.State switch
    {
        CircuitState.Closed => new(true, null),
        CircuitState.Open when c.OpenUntil > now => new(false, c.OpenUntil),
        CircuitState.HalfOpen when c.ProbeUntil > now => new(false, c.ProbeUntil),
        _ => null,
    };

    /// <summary>Makes this caller the one half-open probe, if the circuit's time is up and no live probe is under way.</summary>
    public static bool TryClaimProbe(ProviderCircuit c, DateTimeOffset now, CircuitOptions options)
    {
        if (Admits(c, now) is not null)
        {
            return false;
        }
        c.State = CircuitState.HalfOpen;
        c.ProbeUntil = now + options.ProbeFor;
        return true;
    }

    public static void Record(ProviderCircuit c, CallOutcome outcome, string? code, string? message, DateTimeOffset now, CircuitOptions options)
    {
        c.At = now;
        if (outcome != CallOutcome.Throttled)
        {
            c.Healthy = outcome != CallOutcome.Auth;
            c.LastErrorCode = code;
            c.LastErrorMessage = message;
        }
        switch (outcome)
        {
            case CallOutcome.Answered or CallOutcome.Auth:
                // The provider answered: whatever it said, it is up.
                c.ConsecutiveFailures = 0;
                c.State = CircuitState.Closed;
                c.OpenUntil = null;
                c.ProbeUntil = null;
                break;
            case CallOutcome.Transient:
                c.ConsecutiveFailures++;
                if (c.State == CircuitState.HalfOpen || c.ConsecutiveFailures >= options.FailuresToOpen)
                {
                    c.State = CircuitState.Open;
                    c.OpenUntil = now + options.OpenFor;
                    c.ProbeUntil = null;
                }
                break;
        }
    }
}
