namespace Broker.Providers.Slurm;

/// <summary>Slurm job names carry the allocation id; that name is the idempotency key of a submit.</summary>
public static class SlurmJobNames
{
    public const string Prefix = "broker-";

    public static string For(Guid allocationId) => Prefix + allocationId.ToString("D");

    /// <summary>Whether the name marks a job as Broker's (its prefix), whatever follows.</summary>
    public static bool IsBrokers(string? name) => name is not null && name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The allocation id of a name <see cref="For"/> built; null for any other name (another prefix, or not exactly an id after it).</summary>
    public static Guid? AllocationOf(string? name) =>
        IsBrokers(name) && Guid.TryParseExact(name.AsSpan(Prefix.Length), "D", out var id) && For(id) == name ? id : null;
}
