namespace Broker.Providers.Slurm;

/// <summary>
/// Configuration section <c>Slurm</c>: where slurmrestd listens and whose JWT to send. Jobs run as their team's user and
/// write into the team's directory (configured in the <c>OnPrem</c> section; <c>Slurm:OutputRoot</c> is where team
/// directories are by default, see <c>OnPremTenancy</c>).
/// </summary>
public sealed class SlurmOptions
{
    public const string SectionName = "Slurm";

    /// <summary>slurmrestd base address, e.g. <c>http://127.0.0.1:16820</c>. When missing the cluster reports itself unavailable.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// Sent as <c>X-SLURM-USER-NAME</c> on every call but a submit; must be the user the token was issued for. Submits name
    /// the team's user instead, which needs a token of root or the cluster's SlurmUser.
    /// </summary>
    public string UserName { get; set; } = "root";

    /// <summary>Sent as <c>X-SLURM-USER-TOKEN</c> (from <c>scontrol token</c>). Never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>Partition for submitted jobs and the nodes to report; null means the cluster's default partition and all nodes.</summary>
    public string? Partition { get; set; }

    /// <summary>Per-request timeout; a slow or hung slurmrestd makes the cluster unavailable, not the caller stuck.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
