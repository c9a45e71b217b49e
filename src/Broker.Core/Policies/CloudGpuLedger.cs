namespace Broker.Core.Policies;

/// <summary>
/// Counts cloud GPUs during one pass against the team caps and the global cap: what Broker holds now plus what this
/// pass has already launched.
/// </summary>
public sealed class CloudGpuLedger(CloudControls controls)
{
    private readonly Dictionary<string, int> byTeam = new(controls.CloudGpusInUse, StringComparer.Ordinal);
    private int total = controls.CloudGpusInUse.Values.Sum();

    /// <summary>Why taking <paramref name="gpus"/> more cloud GPUs breaks a cap, or null when it does not.</summary>
    public string? Refusal(BurstPolicy policy, string team, int gpus)
    {
        var held = byTeam.GetValueOrDefault(team);
        if (policy.MaxCloudGpus is { } teamCap && held + gpus > teamCap)
        {
            return $"team {team} holds {held} cloud GPUs; {gpus} more exceed its cap of {teamCap}";
        }
        return controls.MaxCloudGpus is { } cap && total + gpus > cap
            ? $"Broker holds {total} cloud GPUs; {gpus} more exceed the global cap of {cap}"
            : null;
    }

    /// <summary>True when <see cref="Refusal"/> has a reason (no words built).</summary>
    public bool Refuses(BurstPolicy policy, string team, int gpus) =>
        policy.MaxCloudGpus is { } teamCap && byTeam.GetValueOrDefault(team) + gpus > teamCap
        || controls.MaxCloudGpus is { } cap && total + gpus > cap;

    public void Commit(string team, int gpus)
    {
        byTeam[team] = byTeam.GetValueOrDefault(team) + gpus;
        total += gpus;
    }
}
