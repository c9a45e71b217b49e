namespace Broker.Providers.Slurm;

/// <summary>Configuration section <c>Slurm</c>: where slurmrestd listens and whose JWT to send.</summary>
public sealed class SlurmOptions
{
    public const string SectionName = "Slurm";

    /// <summary>slurmrestd base address, e.g. <c>http://127.0.0.1:16820</c>. When missing the cluster reports itself unavailable.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent as <c>X-SLURM-USER-NAME</c>; must be the user the token was issued for.</summary>
    public string UserName { get; set; } = "root";

    /// <summary>Sent as <c>X-SLURM-USER-TOKEN</c> (from <c>scontrol token</c>). Never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>Partition for submitted jobs and the nodes to report; null means the cluster's default partition and all nodes.</summary>
    public string? Partition { get; set; }

    /// <summary>Per-request timeout; a slow or hung slurmrestd makes the cluster unavailable, not the caller stuck.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Working directory of submitted jobs on the compute nodes (Slurm writes <c>slurm-&lt;id&gt;.out</c> there).</summary>
    public string WorkingDirectory { get; set; } = "/tmp";
}
