namespace Broker.Core.WhatIf;

/// <summary>Configuration section <c>WhatIf</c>: bounds, the stored traces ops allow by name, and the replay's timings.</summary>
public sealed class WhatIfSettings
{
    public const string SectionName = "WhatIf";

    /// <summary>Longest window a what-if may replay.</summary>
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromDays(92);

    /// <summary>Stored job traces (generic CSV) by name; a request names one, never a path. Paths resolve against the content root.</summary>
    public Dictionary<string, string> Traces { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A Can't-Be-Late spot availability file every spot offer follows; null models availability from each offer's rate.</summary>
    public string? SpotTracePath { get; set; }

    /// <summary>How long spot stays gone after a modelled interruption.</summary>
    public TimeSpan SpotOutage { get; set; } = TimeSpan.FromMinutes(30);

    public long PassIntervalSeconds { get; set; } = 15;

    public long CloudStartupSeconds { get; set; } = 120;

    public long MinimumBilledSeconds { get; set; } = 60;

    public long BlockTtlSeconds { get; set; } = 300;

    public long SpotRateWindowSeconds { get; set; } = 7 * 86400;

    public double DrainDays { get; set; } = 60;

    /// <summary>A claim whose heartbeat is older than this is taken to be dead and may be taken over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Progress is written at most this often (and the heartbeat with it).</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int MaxAttempts { get; set; } = 3;
}

/// <summary>The what-if's input is unusable (a corrupt job row, a broken stored trace): the run fails with this reason, for good.</summary>
public sealed class WhatIfInputException(string message, Exception? inner = null) : Exception(message, inner);
