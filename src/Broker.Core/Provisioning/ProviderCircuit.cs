namespace Broker.Core.Provisioning;

public enum CircuitState
{
    /// <summary>Calls go through.</summary>
    Closed,
    /// <summary>Repeated 5xx or timeouts: calls are refused without being sent until <see cref="ProviderCircuit.OpenUntil"/>.</summary>
    Open,
    /// <summary>One replica's single probe call is under way (until <see cref="ProviderCircuit.ProbeUntil"/>); others are refused.</summary>
    HalfOpen,
}

/// <summary>
/// A provider's health and circuit, shared by every replica (table <c>provider_health</c>): the last outcome of its calls
/// (credential errors stay visible until a call succeeds), the run of consecutive transient failures, and the circuit.
/// </summary>
public sealed class ProviderCircuit
{
    public string Provider { get; set; } = "";

    public bool Healthy { get; set; }

    public string? LastErrorCode { get; set; }

    public string? LastErrorMessage { get; set; }

    public DateTimeOffset At { get; set; }

    public int ConsecutiveFailures { get; set; }

    public CircuitState State { get; set; }

    public DateTimeOffset? OpenUntil { get; set; }

    public DateTimeOffset? ProbeUntil { get; set; }
}
