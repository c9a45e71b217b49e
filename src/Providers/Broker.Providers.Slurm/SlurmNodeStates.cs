using Broker.Core.Provisioning;

namespace Broker.Providers.Slurm;

/// <summary>Maps slurmrestd's node <c>state</c> (idle, mixed, allocated, down...) and <c>state_flags</c> (DRAIN, NOT_RESPONDING...).</summary>
public static class SlurmNodeStates
{
    public static OnPremNodeState Map(string? state, IEnumerable<string>? flags)
    {
        var flagSet = new HashSet<string>(flags ?? [], StringComparer.OrdinalIgnoreCase);
        var baseState = (state ?? "").Trim().ToLowerInvariant();
        // Slurm may also fold a flag into the state string, e.g. "idle+drain" or "down*".
        foreach (var part in baseState.Split('+', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            flagSet.Add(part);
        }
        baseState = baseState.Split('+')[0].TrimEnd('*', '~', '#', '!', '%', '$', '@', '^', '-');
        if (baseState is "down" or "error" or "future" || flagSet.Contains("NOT_RESPONDING") || flagSet.Contains("DOWN"))
        {
            return OnPremNodeState.Down;
        }
        if (flagSet.Contains("DRAIN") || flagSet.Contains("DRAINED") || flagSet.Contains("DRAINING") || flagSet.Contains("FAIL")
            || baseState is "drained" or "draining" or "drain")
        {
            return OnPremNodeState.Drained;
        }
        return baseState switch
        {
            "idle" => OnPremNodeState.Idle,
            "mixed" => OnPremNodeState.Mixed,
            "allocated" or "alloc" or "completing" => OnPremNodeState.Allocated,
            _ => OnPremNodeState.Unknown,
        };
    }
}
