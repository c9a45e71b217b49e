namespace Broker.Providers.Slurm.Rest;

internal enum SlurmFailureKind
{
    /// <summary>No answer: connection refused, timeout, a 5xx without Slurm errors, or slurmctld unreachable.</summary>
    Unreachable,
    /// <summary>slurmrestd or slurmctld rejected the credentials (HTTP 401/403 or a Slurm auth error).</summary>
    AuthRejected,
    /// <summary>The job (or node) does not exist any more.</summary>
    NotFound,
    /// <summary>Slurm refused the request itself (bad gres, unknown node or partition...).</summary>
    Rejected,
}

/// <summary>A failed slurmrestd call. The message never contains the token.</summary>
internal sealed class SlurmApiException(SlurmFailureKind kind, int? slurmErrorNumber, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public SlurmFailureKind Kind { get; } = kind;

    public int? SlurmErrorNumber { get; } = slurmErrorNumber;
}
