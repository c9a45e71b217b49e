namespace Broker.Providers.Slurm;

/// <summary>Slurm job names carry the allocation id; that name is the idempotency key of a submit.</summary>
public static class SlurmJobNames
{
    public const string Prefix = "broker-";

    public static string For(Guid allocationId) => Prefix + allocationId.ToString("D");
}
