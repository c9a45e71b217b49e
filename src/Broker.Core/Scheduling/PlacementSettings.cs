using Broker.Core.Policies;

namespace Broker.Core.Scheduling;

/// <summary>Configuration section <c>Placement</c>: the live strategy and the burst policy of teams without their own.</summary>
public sealed class PlacementSettings
{
    public string Strategy { get; set; } = "broker";

    public bool AllowBurst { get; set; } = true;

    public bool AllowSpot { get; set; } = true;

    public List<string> AllowedProviders { get; set; } = [];

    public List<string> AllowedRegions { get; set; } = [];

    public TimeSpan MaxWaitBeforeBurst { get; set; } = TimeSpan.FromMinutes(10);

    public decimal? MaxPricePerGpuHour { get; set; }

    /// <summary>Seed of the policy's maximum slowdown, (wait + run) / run; null for none.</summary>
    public double? MaxSlowdown { get; set; }

    /// <summary>Seed of the policy's price of waiting, USD per GPU-hour; null for none.</summary>
    public decimal? WaitPricePerGpuHour { get; set; }

    public int SpotEscalateAfter { get; set; } = BurstPolicy.DefaultSpotEscalateAfter;

    public int MaxPreemptionsPerJob { get; set; } = BurstPolicy.DefaultMaxPreemptionsPerJob;

    /// <summary>Amortized $/GPU-hour of on-prem GPUs, charged back so finance compares like with like.</summary>
    public decimal OnPremRatePerGpuHour { get; set; } = 1.20m;

    /// <summary>Most pending jobs one pass looks at (oldest first).</summary>
    public int MaxJobsPerPass { get; set; } = 10_000;

    public BurstPolicy DefaultPolicy() => new("*", AllowBurst, AllowedProviders, AllowedRegions, AllowSpot, MaxWaitBeforeBurst,
        MaxPricePerGpuHour, OnPremRatePerGpuHour, MaxSlowdown: MaxSlowdown, WaitPricePerGpuHour: WaitPricePerGpuHour,
        SpotEscalateAfter: SpotEscalateAfter, MaxPreemptionsPerJob: MaxPreemptionsPerJob);
}
