namespace Broker.Core.OnPrem;

/// <summary>
/// Configuration section <c>OnPrem</c>: which Unix user (and Slurm account) each team's on-prem jobs run as.
/// <c>OnPrem:Teams:&lt;team&gt;:User</c>, <c>:Account</c> (optional) and <c>:OutputDirectory</c> (optional, default
/// <c>&lt;Slurm:OutputRoot&gt;/&lt;user&gt;</c>); <c>OnPrem:DeniedUsers:0</c>... adds users that may never be mapped to the
/// built-in list (<see cref="OnPremTenancy.AlwaysDeniedUsers"/>).
/// </summary>
public sealed class OnPremTenancySettings
{
    public const string SectionName = "OnPrem";

    public Dictionary<string, OnPremTeamSettings> Teams { get; set; } = [];

    public List<string> DeniedUsers { get; set; } = [];
}

public sealed class OnPremTeamSettings
{
    /// <summary>The unprivileged Unix user the team's Slurm jobs run as (it must exist on every node).</summary>
    public string? User { get; set; }

    /// <summary>The Slurm account the jobs are charged to; none means the user's default account.</summary>
    public string? Account { get; set; }

    /// <summary>
    /// The team's directory on the nodes (owned by <see cref="User"/>, mode 700); each job writes into a directory of its
    /// own inside it. Defaults to <c>&lt;Slurm:OutputRoot&gt;/&lt;user&gt;</c>.
    /// </summary>
    public string? OutputDirectory { get; set; }
}
